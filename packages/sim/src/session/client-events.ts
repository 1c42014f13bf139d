import { decodeInputAudio } from '../audio/input-decoder.js';
import { CLIENT_EVENT_TYPES, type ClientEvent, clientEvent, type ItemInput } from '../protocol/client-events.js';
import { newItemId } from '../protocol/ids.js';
import { type ContentPart, type ConversationItem, wireItem } from '../protocol/items.js';
import { type AudioFormat, mergeSession } from '../protocol/session-config.js';
import { fromZodError, invalidRequest, type WireError } from '../protocol/wire-error.js';
import type { StoredItem } from './conversation.js';
import type { SessionTransport, SimSession } from './session.js';

/**
 * Parses one client text frame (data channel, WebSocket or sideband) and
 * applies it to the session. Every invalid event is answered with an
 * `error` event (type, code, message, param, event_id) and the session
 * stays open, as on the service. The error goes only to `from`, the
 * connection that sent the event, when given (else to every connection).
 */
export function handleClientMessage(session: SimSession, text: string, from?: SessionTransport): void {
  const reply = (error: WireError, clientEventId: string | null = null): void => session.emitError(error, clientEventId, from);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    reply(invalidRequest('invalid_json', `Invalid JSON in client event: ${(cause as Error).message}`));
    return;
  }
  const clientEventId = eventIdOf(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    reply(invalidRequest('invalid_event', 'The event must be a JSON object.'), clientEventId);
    return;
  }
  const type = (raw as { type?: unknown }).type;
  if (type === undefined) {
    reply(invalidRequest('invalid_event', "The 'type' field is missing."), clientEventId);
    return;
  }
  if (typeof type !== 'string' || !CLIENT_EVENT_TYPES.includes(type)) {
    const supported = CLIENT_EVENT_TYPES.map((t) => `'${t}'`).join(', ');
    reply(
      invalidRequest('invalid_value', `Invalid value: '${String(type)}'. Supported values are: ${supported}.`, 'type'),
      clientEventId,
    );
    return;
  }
  let event: Record<string, unknown> = raw as Record<string, unknown>;
  if (session.dialect) {
    const converted = session.dialect.fromClient(event);
    if ('error' in converted) {
      reply(converted.error, clientEventId);
      return;
    }
    event = converted.event;
  }
  const parsed = clientEvent.safeParse(event);
  if (!parsed.success) {
    reply(fromZodError(parsed.error, '', event), clientEventId);
    return;
  }
  const error = apply(session, parsed.data);
  if (error) reply(error, clientEventId);
}

function apply(session: SimSession, event: ClientEvent): WireError | null {
  switch (event.type) {
    case 'session.update':
      return updateSession(session, event.session);
    case 'input_audio_buffer.append':
      return appendAudio(session, event.audio);
    case 'input_audio_buffer.commit': {
      const ms = session.turns.bufferedMs;
      if (ms < 100) {
        return invalidRequest(
          'input_audio_buffer_commit_empty',
          `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
        );
      }
      session.commitAudio(session.turns.commit());
      return null;
    }
    case 'input_audio_buffer.clear':
      session.turns.clear();
      session.emit('input_audio_buffer.cleared');
      return null;
    case 'output_audio_buffer.clear':
      // "WebRTC/SIP only" (SPEC): a WebSocket client plays the audio itself.
      if (session.audioDelivery === 'events') {
        return invalidRequest(
          'invalid_value',
          "Invalid value: 'output_audio_buffer.clear'. This event is only supported on WebRTC and SIP connections.",
          'type',
        );
      }
      session.clearOutputAudio();
      return null;
    case 'conversation.item.create':
      return createItem(session, event.item, event.previous_item_id);
    case 'conversation.item.retrieve':
      return retrieveItem(session, event.item_id);
    case 'conversation.item.truncate':
      return truncateItem(session, event.item_id, event.content_index, event.audio_end_ms);
    case 'conversation.item.delete':
      if (!session.conversation.delete(event.item_id)) return itemNotFound(event.item_id, 'item_id');
      session.emit('conversation.item.deleted', { item_id: event.item_id });
      return null;
    case 'response.create':
      return createResponse(session, event.response ?? {});
    case 'response.cancel':
      if (!session.cancelResponse('client_cancelled', event.response_id)) {
        return invalidRequest('response_cancel_not_active', 'Cancellation failed: no active response found');
      }
      return null;
  }
}

function updateSession(session: SimSession, update: Extract<ClientEvent, { type: 'session.update' }>['session']): WireError | null {
  const voice = update.audio?.output?.voice;
  if (
    voice !== undefined &&
    session.assistantAudioProduced &&
    JSON.stringify(voice) !== JSON.stringify(session.config.audio.output.voice)
  ) {
    return invalidRequest(
      'cannot_update_voice',
      "Cannot update a conversation's voice if assistant audio is present.",
      'session.audio.output.voice',
    );
  }
  session.applyConfig(mergeSession(session.config, update));
  return null;
}

/** Decodes an append in the session's `audio.input.format` into the turn detector, like the WebRTC track's audio. */
function appendAudio(session: SimSession, base64: string): WireError | null {
  const bytes = Buffer.from(base64, 'base64');
  session.pushAudio(session.inputDecoder.decode(bytes, session.config.audio.input.format));
  return null;
}

function createItem(session: SimSession, input: ItemInput, previousItemId: string | null | undefined): WireError | null {
  if (input.id !== undefined && session.conversation.get(input.id)) {
    return invalidRequest('item_id_already_exists', `Item with id '${input.id}' already exists.`, 'item.id');
  }
  if (input.type === 'function_call_output') {
    const known = session.conversation.items.some((s) => s.item.type === 'function_call' && s.item.call_id === input.call_id);
    if (!known) {
      return invalidRequest('invalid_value', `Tool call ID '${input.call_id}' not found in conversation.`, 'item.call_id');
    }
  }
  const stored = toStored(input, session.config.audio.input.format);
  if ('error' in stored) return stored.error;
  if (!session.addItemWithEvents(stored, previousItemId)) {
    return invalidRequest(
      'invalid_value',
      `Invalid value: '${String(previousItemId)}'. previous_item_id does not match any item in the conversation.`,
      'previous_item_id',
    );
  }
  return null;
}

/** Builds a stored item; `input_audio` bytes are in the session's input format (SPEC). */
function toStored(input: ItemInput, format: AudioFormat): StoredItem | { error: WireError } {
  const id = input.id ?? newItemId();
  if (input.type === 'function_call') {
    return { item: { id, type: 'function_call', status: 'completed', name: input.name, call_id: input.call_id, arguments: input.arguments } };
  }
  if (input.type === 'function_call_output') {
    return { item: { id, type: 'function_call_output', call_id: input.call_id, output: input.output } };
  }
  let audio: Int16Array | undefined;
  const content: ContentPart[] = [];
  for (const part of input.content) {
    if (input.role === 'assistant' && (part.type === 'output_audio' || part.type === 'audio')) {
      return { error: invalidRequest('invalid_value', 'Assistant messages cannot contain audio content.', 'item.content') };
    }
    if (part.type === 'input_audio') {
      if (part.audio) {
        audio = decodeInputAudio(Buffer.from(part.audio, 'base64'), format);
      }
      content.push({ type: 'input_audio', transcript: part.transcript ?? null });
    } else if (part.type === 'text') {
      content.push(input.role === 'assistant' ? { type: 'output_text', text: part.text } : { type: 'input_text', text: part.text });
    } else if (part.type === 'input_image') {
      content.push({ type: 'input_image', ...(part.image_url ? { image_url: part.image_url } : {}), detail: part.detail ?? 'auto' });
    } else if (part.type === 'input_text' || part.type === 'output_text') {
      content.push({ type: part.type, text: part.text });
    }
  }
  const stored: StoredItem = { item: { id, type: 'message', status: 'completed', role: input.role, content } };
  if (audio) {
    stored.audio = audio;
    stored.audioRate = 16_000;
    stored.voicedMs = (audio.length * 1000) / 16_000;
  }
  return stored;
}

/** Base64 audio above this size would push `conversation.item.retrieved` past a data channel's 256 KiB message limit. */
const MAX_RETRIEVED_AUDIO_CHARS = 200_000;

function retrieveItem(session: SimSession, itemId: string): WireError | null {
  const stored = session.conversation.get(itemId);
  if (!stored) return itemNotFound(itemId, 'item_id');
  const item = wireItem(stored.item, true) as { content?: Array<Record<string, unknown>> };
  if (stored.audio && stored.audioRate && Array.isArray(item.content)) {
    const pcm24 = resampleTo24k(stored.audio, stored.audioRate);
    const audio = Buffer.from(pcm24.buffer, pcm24.byteOffset, pcm24.byteLength).toString('base64');
    // A data-channel message may not exceed the browser's a=max-message-size (256 KiB in
    // Chromium): a larger frame makes the sender close the channel. Items whose audio would
    // not fit are retrieved without it (AJS sends retrieve after every transcription).
    if (audio.length > MAX_RETRIEVED_AUDIO_CHARS) {
      session.emit('conversation.item.retrieved', { item });
      return null;
    }
    item.content = item.content.map((p) =>
      p.type === 'input_audio' || p.type === 'output_audio' ? { ...p, audio, format: 'pcm16' } : p,
    );
  }
  session.emit('conversation.item.retrieved', { item });
  return null;
}

function truncateItem(session: SimSession, itemId: string, contentIndex: number, audioEndMs: number): WireError | null {
  const stored = session.conversation.get(itemId);
  if (!stored) return itemNotFound(itemId, 'item_id');
  const item: ConversationItem = stored.item;
  if (item.type !== 'message' || item.role !== 'assistant' || !stored.audio || !stored.audioRate) {
    return invalidRequest('invalid_value', 'Only assistant messages with audio can be truncated.', 'item_id');
  }
  if (contentIndex !== 0) return invalidRequest('invalid_value', `Invalid content_index: ${contentIndex}.`, 'content_index');
  const durationMs = Math.floor((stored.audio.length * 1000) / stored.audioRate);
  if (audioEndMs > durationMs) {
    // The recorded error has `code: null` (PROTOCOL §14.1).
    return invalidRequest(null, `Audio content of ${durationMs}ms is already shorter than ${audioEndMs}ms`, 'audio_end_ms');
  }
  session.truncateItem(itemId, audioEndMs);
  return null;
}

function createResponse(session: SimSession, params: NonNullable<Extract<ClientEvent, { type: 'response.create' }>['response']>): WireError | null {
  if (params.conversation !== undefined && params.conversation !== 'auto' && params.conversation !== 'none') {
    return invalidRequest(
      'invalid_value',
      `Invalid value: '${params.conversation}'. Supported values are: 'auto' and 'none'.`,
      'response.conversation',
    );
  }
  let input: StoredItem[] | undefined;
  if (params.input) {
    input = [];
    for (const [i, entry] of params.input.entries()) {
      if (entry.type === 'item_reference') {
        const ref = session.conversation.get(entry.id);
        if (!ref) return itemNotFound(entry.id, `response.input[${i}].id`);
        input.push(ref);
      } else {
        const stored = toStored(entry, session.config.audio.input.format);
        if ('error' in stored) return stored.error;
        input.push(stored);
      }
    }
  }
  return session.createResponse('client', params, input);
}

function itemNotFound(itemId: string, param: string): WireError {
  return invalidRequest('item_not_found', `Item with item_id '${itemId}' not found.`, param);
}

function eventIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && typeof (raw as { event_id?: unknown }).event_id === 'string') {
    return (raw as { event_id: string }).event_id;
  }
  return null;
}

function resampleTo24k(samples: Int16Array, rate: number): Int16Array {
  if (rate === 24_000) return samples;
  const out = new Int16Array(Math.round((samples.length * 24_000) / rate));
  const step = rate / 24_000;
  for (let i = 0; i < out.length; i++) out[i] = samples[Math.min(samples.length - 1, Math.floor(i * step))] ?? 0;
  return out;
}
