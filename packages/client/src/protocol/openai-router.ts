import type { TypedEmitter } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import type { ItemInfo, SessionSignals, Signals } from '../session/signals.js';
import { decodeServerEvent, type KnownServerEvent, type RealtimeItem } from './server-events.js';

/**
 * The OpenAI Realtime protocol's inbound side: decodes each data-channel frame,
 * publishes it as `serverEvent`, assembles transcript deltas into running
 * texts, and turns the events rtvoice acts on into plain session signals. A
 * malformed frame becomes a `malformed_event` error and nothing else is lost.
 */
export class OpenAIRouter {
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #signals: Signals;
  /** Running text per item and content part. */
  readonly #texts = new Map<string, string>();

  constructor(events: TypedEmitter<ClientEvents>, signals: Signals) {
    this.#events = events;
    this.#signals = signals;
  }

  /** Forgets per-connection state. */
  reset(): void {
    this.#texts.clear();
  }

  /** Handles one text frame from the server. */
  handle(data: string): void {
    const decoded = decodeServerEvent(data);
    if (!decoded.ok) {
      this.#events.emit('error', new RtvoiceError('malformed_event', `Malformed server event: ${decoded.reason}.`));
      return;
    }
    this.#events.emit('serverEvent', decoded.event);
    if (decoded.gaType) this.#route(decoded.event as KnownServerEvent);
  }

  #route(e: KnownServerEvent): void {
    const s = this.#signals;
    switch (e.type) {
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        return this.#text('assistant', e.item_id, e.content_index, e.delta, false, e.response_id);
      case 'response.output_audio_transcript.done':
        return this.#text('assistant', e.item_id, e.content_index, e.transcript, true, e.response_id);
      case 'response.output_text.done':
        return this.#text('assistant', e.item_id, e.content_index, e.text, true, e.response_id);
      case 'conversation.item.input_audio_transcription.delta':
        return this.#text('user', e.item_id, e.content_index, e.delta, false);
      case 'conversation.item.input_audio_transcription.completed':
        return this.#text('user', e.item_id, e.content_index, e.transcript, true);
      case 'conversation.item.input_audio_transcription.failed':
        return this.#text('user', e.item_id, e.content_index, '', true, undefined, e.error.message ?? 'transcription failed');
      case 'session.created':
        return s.emit('sessionCreated', e.session);
      case 'session.updated':
        return s.emit('sessionUpdated', e.session);
      case 'error':
        return s.emit('serverError', e.error);
      case 'input_audio_buffer.speech_started':
        return s.emit('speechStarted', { itemId: e.item_id, audioMs: e.audio_start_ms });
      case 'input_audio_buffer.speech_stopped':
        return s.emit('speechStopped', { itemId: e.item_id, audioMs: e.audio_end_ms });
      case 'input_audio_buffer.committed':
        return s.emit('inputCommitted', { itemId: e.item_id, previousItemId: e.previous_item_id });
      case 'conversation.item.added':
      case 'conversation.item.done':
        return s.emit('itemAdded', { item: itemInfo(e.item), previousItemId: e.previous_item_id });
      case 'conversation.item.truncated':
        return s.emit('itemTruncated', { itemId: e.item_id, audioEndMs: e.audio_end_ms });
      case 'conversation.item.deleted':
        return s.emit('itemDeleted', { itemId: e.item_id });
      case 'response.created':
        return s.emit('responseCreated', { responseId: e.response.id, outOfBand: e.response.conversation_id === null });
      case 'response.done': {
        const r = e.response;
        return s.emit('responseDone', {
          responseId: r.id,
          status: r.status ?? 'completed',
          reason: r.status_details?.reason ?? undefined,
          usage: r.usage ?? undefined,
          metadata: r.metadata ?? undefined,
          outputIds: (r.output ?? []).map((item) => item?.id).filter((id): id is string => typeof id === 'string'),
        });
      }
      case 'response.function_call_arguments.done':
        return s.emit('functionCall', { callId: e.call_id, name: e.name, arguments: e.arguments, itemId: e.item_id, responseId: e.response_id });
      case 'output_audio_buffer.started':
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        return s.emit('audio', { state: e.type.slice(20) as 'started', responseId: e.response_id });
    }
  }

  /** A delta is appended to the running text; a final text replaces it (and says what it added). */
  #text(role: 'user' | 'assistant', itemId: string, part = 0, value: string, final: boolean, responseId?: string, failed?: string): void {
    const key = `${itemId}:${part}`;
    const before = this.#texts.get(key) ?? '';
    const text = final ? value || before : before + value;
    if (final) this.#texts.delete(key);
    else this.#texts.set(key, text);
    const t: SessionSignals['text'][0] = { role, itemId, delta: final ? (text.startsWith(before) ? text.slice(before.length) : text) : value, text, final };
    if (responseId !== undefined) t.responseId = responseId;
    if (failed !== undefined) t.failed = failed;
    this.#signals.emit('text', t);
  }
}

/** The protocol-neutral view of a server item. */
function itemInfo(item: RealtimeItem): ItemInfo {
  let text: string | undefined;
  for (const part of Array.isArray(item.content) ? item.content : []) {
    const t = part?.text ?? part?.transcript;
    if (typeof t === 'string') text = (text ?? '') + t;
  }
  const { id, type, role, status, call_id: callId, name, arguments: args, output } = item;
  // Absent fields stay absent: JSON drops undefined, and so do these spreads.
  return { id, type, ...(role && { role }), ...(status && { status }), ...(text !== undefined && { text }), ...(callId && { callId }), ...(name && { name }), ...(args !== undefined && { arguments: args }), ...(output !== undefined && { output }) };
}
