import { checkShape, type Shape } from './shape.js';

/*
 * The Realtime server events rtvoice acts on (GA names, PROTOCOL.md §4.3), with
 * their shapes. Objects are loose: the service adds fields without notice
 * (`obfuscation`, …), and a parser that rejected them would break on the next deploy.
 */

/** Token usage of one response, as the service reports it in `response.done`. */
export interface RealtimeUsage {
  total_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    cached_tokens?: number;
    cached_tokens_details?: { text_tokens?: number; audio_tokens?: number; image_tokens?: number };
  };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
  [field: string]: unknown;
}

/** A conversation item as the server describes it (`conversation.item.added` / `.done`). */
export interface RealtimeItem {
  id: string;
  type: string;
  role?: string;
  status?: string;
  content?: Array<{ type?: string; text?: string; transcript?: string | null; [field: string]: unknown }>;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string;
  [field: string]: unknown;
}

/** A response as the server describes it in `response.created` / `response.done`. */
export interface RealtimeResponse {
  id: string;
  status?: string;
  status_details?: { type?: string; reason?: string | null; [field: string]: unknown } | null;
  usage?: RealtimeUsage | null;
  output?: RealtimeItem[];
  metadata?: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** The body of a Realtime `error` server event. */
interface ErrorBody {
  type: string;
  message: string;
  code?: string | null;
  param?: string | null;
  event_id?: string | null;
  [field: string]: unknown;
}

interface TranscriptPart {
  response_id: string;
  item_id: string;
  output_index?: number;
  content_index?: number;
}

/** The payload of each known server event type, by GA name. */
interface Payloads {
  'session.created': { session: Record<string, unknown> };
  'session.updated': { session: Record<string, unknown> };
  error: { error: ErrorBody };
  'input_audio_buffer.speech_started': { audio_start_ms: number; item_id: string };
  'input_audio_buffer.speech_stopped': { audio_end_ms: number; item_id: string };
  'input_audio_buffer.committed': { item_id: string; previous_item_id?: string | null };
  'input_audio_buffer.cleared': object;
  'conversation.item.added': { item: RealtimeItem; previous_item_id?: string | null };
  'conversation.item.done': { item: RealtimeItem; previous_item_id?: string | null };
  'conversation.item.truncated': { item_id: string; content_index?: number; audio_end_ms: number };
  'conversation.item.deleted': { item_id: string };
  'conversation.item.input_audio_transcription.delta': { item_id: string; content_index?: number; delta: string };
  'conversation.item.input_audio_transcription.completed': { item_id: string; content_index?: number; transcript: string };
  'conversation.item.input_audio_transcription.failed': {
    item_id: string;
    content_index?: number;
    error: { message?: string; code?: string | null; type?: string };
  };
  'response.created': { response: RealtimeResponse };
  'response.done': { response: RealtimeResponse };
  'response.output_audio_transcript.delta': TranscriptPart & { delta: string };
  'response.output_audio_transcript.done': TranscriptPart & { transcript: string };
  'response.output_text.delta': TranscriptPart & { delta: string };
  'response.output_text.done': TranscriptPart & { text: string };
  'response.function_call_arguments.done': { response_id?: string; item_id: string; call_id: string; name: string; arguments: string };
  'output_audio_buffer.started': { response_id?: string };
  'output_audio_buffer.stopped': { response_id?: string };
  'output_audio_buffer.cleared': { response_id?: string };
}

/**
 * The type of every field rtvoice reads where a wrong type would break it,
 * wherever it appears (`checkShape` syntax; all may be absent unless an event
 * requires them below). Fields only compared or copied are not checked.
 */
const FIELDS: Shape = {
  session: 'o?',
  error: [{ type: 's', message: 's', event_id: 's?~' }],
  audio_start_ms: 'n?',
  audio_end_ms: 'n?',
  // Ids key the history and the running transcripts: an empty one would make an item out of nothing.
  item_id: 'i?',
  response_id: 'i?',
  call_id: 'i?',
  name: 's?',
  arguments: 's?',
  delta: 's?',
  transcript: 's?',
  text: 's?',
  item: [{ id: 'i', type: 's', call_id: 'i?', name: 's?', arguments: 's?', output: 's?' }],
  response: [{ id: 'i', status: 's?', output: 'a?' }],
};

/** The fields each known event type must have. */
const REQUIRED: { [K in keyof Payloads]: string } = {
  'session.created': 'session',
  'session.updated': 'session',
  error: 'error',
  'input_audio_buffer.speech_started': 'audio_start_ms item_id',
  'input_audio_buffer.speech_stopped': 'audio_end_ms item_id',
  'input_audio_buffer.committed': 'item_id',
  'input_audio_buffer.cleared': '',
  'conversation.item.added': 'item',
  'conversation.item.done': 'item',
  'conversation.item.truncated': 'item_id audio_end_ms',
  'conversation.item.deleted': 'item_id',
  'conversation.item.input_audio_transcription.delta': 'item_id delta',
  'conversation.item.input_audio_transcription.completed': 'item_id transcript',
  'conversation.item.input_audio_transcription.failed': 'item_id error',
  'response.created': 'response',
  'response.done': 'response',
  'response.output_audio_transcript.delta': 'response_id item_id delta',
  'response.output_audio_transcript.done': 'response_id item_id transcript',
  'response.output_text.delta': 'response_id item_id delta',
  'response.output_text.done': 'response_id item_id text',
  'response.function_call_arguments.done': 'item_id call_id name arguments',
  'output_audio_buffer.started': '',
  'output_audio_buffer.stopped': '',
  'output_audio_buffer.cleared': '',
};

/** The GA type names of every server event rtvoice validates. */
export type KnownServerEventType = keyof Payloads;

/** A validated server event of type `K` (GA name). */
export type ServerEventOf<K extends KnownServerEventType> = Payloads[K] & { type: K; event_id?: string; [field: string]: unknown };

/** Any server event rtvoice validates, discriminated by `type`. */
export type KnownServerEvent = { [K in KnownServerEventType]: ServerEventOf<K> }[KnownServerEventType];

/** A well-formed server event rtvoice has no schema for; passed through untouched. */
export interface UnknownServerEvent {
  type: string;
  event_id?: string;
  [field: string]: unknown;
}

/** What the `serverEvent` event carries: every event the server sent, validated where known. */
export type ServerEvent = KnownServerEvent | UnknownServerEvent;

/** The result of decoding one data-channel frame. */
export type DecodeResult =
  | { ok: true; event: ServerEvent; gaType: KnownServerEventType | undefined }
  | { ok: false; reason: string };

/** The GA type names rtvoice has schemas for. */
export function knownServerEventTypes(): KnownServerEventType[] {
  return Object.keys(REQUIRED) as KnownServerEventType[];
}

/**
 * The type if rtvoice knows it, else `undefined`. GA names only: the beta
 * interface (`response.audio_transcript.delta`, …) was retired by the service.
 */
export function gaTypeOf(type: string): KnownServerEventType | undefined {
  return Object.hasOwn(REQUIRED, type) ? (type as KnownServerEventType) : undefined;
}

/**
 * Parses and validates one text frame from the `oai-events` channel. Known types
 * are checked against their shape; well-formed unknown types pass through.
 */
export function decodeServerEvent(data: unknown): DecodeResult {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'frame is not a JSON object' };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || type === '') return { ok: false, reason: "event has no string 'type'" };
  const gaType = gaTypeOf(type);
  const problem = gaType && (REQUIRED[gaType].split(' ').find((f) => f && (raw as Record<string, unknown>)[f] == null) ?? checkShape(raw, FIELDS));
  if (problem) return { ok: false, reason: `'${type}' event is invalid at '${problem}'` };
  return { ok: true, event: raw as ServerEvent, gaType };
}

/**
 * Narrows a {@link ServerEvent} to a known type, by GA name.
 *
 * @example
 * ```ts
 * session.on('serverEvent', (e) => {
 *   if (isServerEvent(e, 'response.done')) console.log(e.response.usage);
 * });
 * ```
 */
export function isServerEvent<K extends KnownServerEventType>(event: ServerEvent, type: K): event is ServerEventOf<K> {
  return gaTypeOf(event.type) === type;
}
