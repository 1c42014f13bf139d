import type { TypedEmitter } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import type { ItemInfo, Signals } from '../session/signals.js';
import { TranscriptAssembler } from '../session/transcripts.js';
import { decodeServerEvent, type KnownServerEvent, type RealtimeItem } from './server-events.js';

/**
 * The OpenAI Realtime protocol's inbound side: decodes each data-channel frame,
 * publishes it as `serverEvent`, and turns the events rtvoice acts on into
 * plain session signals. A malformed frame becomes a `malformed_event` error
 * and nothing else is lost.
 */
export class OpenAIRouter {
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #signals: Signals;
  readonly #transcripts = new TranscriptAssembler();

  constructor(events: TypedEmitter<ClientEvents>, signals: Signals) {
    this.#events = events;
    this.#signals = signals;
  }

  /** Forgets per-connection state. */
  reset(): void {
    this.#transcripts.reset();
  }

  /** Handles one text frame from the server. */
  handle(data: string): void {
    const decoded = decodeServerEvent(data);
    if (!decoded.ok) {
      this.#events.emit('error', new RtvoiceError('malformed_event', `Ignored a malformed server event: ${decoded.reason}.`));
      return;
    }
    this.#events.emit('serverEvent', decoded.event);
    // Route on the GA name so beta-named events take the same path.
    if (decoded.gaType) this.#route({ ...decoded.event, type: decoded.gaType } as KnownServerEvent);
  }

  #route(event: KnownServerEvent): void {
    const s = this.#signals;
    const text = this.#transcripts.handle(event);
    if (text) {
      s.emit('text', text);
      return;
    }
    switch (event.type) {
      case 'session.created':
        s.emit('sessionCreated', event.session);
        break;
      case 'session.updated':
        s.emit('sessionUpdated', event.session);
        break;
      case 'error':
        s.emit('serverError', event.error);
        break;
      case 'input_audio_buffer.speech_started':
        s.emit('speechStarted', { itemId: event.item_id, audioMs: event.audio_start_ms });
        break;
      case 'input_audio_buffer.speech_stopped':
        s.emit('speechStopped', { itemId: event.item_id, audioMs: event.audio_end_ms });
        break;
      case 'input_audio_buffer.committed':
        s.emit('inputCommitted', { itemId: event.item_id, previousItemId: event.previous_item_id });
        break;
      case 'conversation.item.added':
      case 'conversation.item.done':
        s.emit('itemAdded', { item: itemInfo(event.item), previousItemId: event.previous_item_id });
        break;
      case 'conversation.item.truncated':
        s.emit('itemTruncated', { itemId: event.item_id, audioEndMs: event.audio_end_ms });
        break;
      case 'conversation.item.deleted':
        s.emit('itemDeleted', { itemId: event.item_id });
        break;
      case 'conversation.item.input_audio_transcription.failed':
        s.emit('text', { role: 'user', itemId: event.item_id, delta: '', text: '', final: true, failed: event.error.message ?? 'transcription failed' });
        break;
      case 'response.created':
        s.emit('responseCreated', { responseId: event.response.id });
        break;
      case 'response.done': {
        const r = event.response;
        s.emit('responseDone', {
          responseId: r.id,
          status: r.status ?? 'completed',
          reason: r.status_details?.reason ?? undefined,
          usage: r.usage ?? undefined,
          metadata: r.metadata ?? undefined,
          outputIds: (r.output ?? []).map((item) => item?.id).filter((id): id is string => typeof id === 'string'),
        });
        break;
      }
      case 'response.function_call_arguments.done':
        s.emit('functionCall', { callId: event.call_id, name: event.name, arguments: event.arguments, itemId: event.item_id, responseId: event.response_id });
        break;
      case 'output_audio_buffer.started':
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        s.emit('audio', { state: event.type.slice(20) as 'started' | 'stopped' | 'cleared', responseId: event.response_id });
        break;
      default:
        break;
    }
  }
}

/** The protocol-neutral view of a server item. */
function itemInfo(item: RealtimeItem): ItemInfo {
  let text: string | undefined;
  for (const part of Array.isArray(item.content) ? item.content : []) {
    const t = part?.text ?? part?.transcript;
    if (typeof t === 'string') text = (text ?? '') + t;
  }
  const info: ItemInfo = { id: item.id, type: item.type };
  if (item.role) info.role = item.role;
  if (item.status) info.status = item.status;
  if (text !== undefined) info.text = text;
  if (item.call_id) info.callId = item.call_id;
  if (item.name) info.name = item.name;
  if (item.arguments !== undefined) info.arguments = item.arguments;
  if (item.output !== undefined) info.output = item.output;
  return info;
}
