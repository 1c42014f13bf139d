import * as z from 'zod/mini';

/*
 * Schemas of the Realtime server events rtvoice acts on (GA names, PROTOCOL.md §4.3).
 * Objects are loose: the service adds fields without notice (`obfuscation`, …), and
 * a parser that rejected them would break on the next deploy.
 */

const str = z.string();
const optStr = z.optional(z.string());
const optNullStr = z.optional(z.nullable(z.string()));
const optNum = z.optional(z.number());

const errorDetail = z.looseObject({
  type: str,
  message: str,
  code: optNullStr,
  param: optNullStr,
  event_id: optNullStr,
});

const usage = z.looseObject({
  total_tokens: optNum,
  input_tokens: optNum,
  output_tokens: optNum,
  input_token_details: z.optional(
    z.looseObject({
      text_tokens: optNum,
      audio_tokens: optNum,
      image_tokens: optNum,
      cached_tokens: optNum,
      cached_tokens_details: z.optional(
        z.looseObject({ text_tokens: optNum, audio_tokens: optNum, image_tokens: optNum }),
      ),
    }),
  ),
  output_token_details: z.optional(z.looseObject({ text_tokens: optNum, audio_tokens: optNum })),
});

const response = z.looseObject({
  id: str,
  status: optStr,
  status_details: z.optional(z.nullable(z.looseObject({ type: optStr, reason: optNullStr }))),
  usage: z.optional(z.nullable(usage)),
});

const transcriptDelta = z.looseObject({
  response_id: str,
  item_id: str,
  output_index: optNum,
  content_index: optNum,
  delta: str,
});
const transcriptDone = z.looseObject({
  response_id: str,
  item_id: str,
  output_index: optNum,
  content_index: optNum,
  transcript: str,
});
const textDone = z.looseObject({
  response_id: str,
  item_id: str,
  output_index: optNum,
  content_index: optNum,
  text: str,
});
const audioBuffer = z.looseObject({ response_id: optStr });

/** One schema per known server event type. Beta names share the GA schemas. */
const SCHEMAS = {
  'session.created': z.looseObject({ session: z.looseObject({}) }),
  'session.updated': z.looseObject({ session: z.looseObject({}) }),
  error: z.looseObject({ error: errorDetail }),
  'input_audio_buffer.speech_started': z.looseObject({ audio_start_ms: z.number(), item_id: str }),
  'input_audio_buffer.speech_stopped': z.looseObject({ audio_end_ms: z.number(), item_id: str }),
  'input_audio_buffer.committed': z.looseObject({ item_id: str, previous_item_id: optNullStr }),
  'conversation.item.input_audio_transcription.delta': z.looseObject({
    item_id: str,
    content_index: optNum,
    delta: str,
  }),
  'conversation.item.input_audio_transcription.completed': z.looseObject({
    item_id: str,
    content_index: optNum,
    transcript: str,
  }),
  'conversation.item.input_audio_transcription.failed': z.looseObject({
    item_id: str,
    content_index: optNum,
    error: z.looseObject({ message: optStr, code: optNullStr, type: optStr }),
  }),
  'response.created': z.looseObject({ response }),
  'response.done': z.looseObject({ response }),
  'response.output_audio_transcript.delta': transcriptDelta,
  'response.output_audio_transcript.done': transcriptDone,
  'response.output_text.delta': transcriptDelta,
  'response.output_text.done': textDone,
  'response.function_call_arguments.done': z.looseObject({
    response_id: optStr,
    item_id: str,
    call_id: str,
    name: str,
    arguments: str,
  }),
  'output_audio_buffer.started': audioBuffer,
  'output_audio_buffer.stopped': audioBuffer,
  'output_audio_buffer.cleared': audioBuffer,
};

/** Beta event names (before August 2025) and the GA names they correspond to. */
const BETA_TO_GA = {
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
} as const satisfies Record<string, keyof typeof SCHEMAS>;

type Schemas = typeof SCHEMAS;

/** The GA type names of every server event rtvoice validates. */
export type KnownServerEventType = keyof Schemas;

/** A validated server event of type `K` (GA name). */
export type ServerEventOf<K extends KnownServerEventType> = z.infer<Schemas[K]> & {
  type: K;
  event_id?: string;
};

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

/** Token usage of one response, as the service reports it in `response.done`. */
export type RealtimeUsage = z.infer<typeof usage>;

/** The result of decoding one data-channel frame. */
export type DecodeResult =
  | { ok: true; event: ServerEvent; gaType: KnownServerEventType | undefined }
  | { ok: false; reason: string };

/** The GA type names rtvoice has schemas for. */
export function knownServerEventTypes(): KnownServerEventType[] {
  return Object.keys(SCHEMAS) as KnownServerEventType[];
}

/** The GA name for a known event type, mapping beta names; `undefined` for unknown types. */
export function gaTypeOf(type: string): KnownServerEventType | undefined {
  if (Object.hasOwn(SCHEMAS, type)) return type as KnownServerEventType;
  if (Object.hasOwn(BETA_TO_GA, type)) return BETA_TO_GA[type as keyof typeof BETA_TO_GA];
  return undefined;
}

/**
 * Parses and validates one text frame from the `oai-events` channel. Known types
 * are checked against their schema; well-formed unknown types pass through.
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
  if (gaType === undefined) return { ok: true, event: raw as UnknownServerEvent, gaType };
  const parsed = z.safeParse(SCHEMAS[gaType] as z.ZodMiniType, raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at '${issue.path.join('.')}'` : '';
    return { ok: false, reason: `'${type}' event is invalid${where}: ${issue?.message ?? 'schema mismatch'}` };
  }
  return { ok: true, event: parsed.data as ServerEvent, gaType };
}

/**
 * Narrows a {@link ServerEvent} to a known type, by GA name. Beta names count as
 * their GA equivalents.
 *
 * @example
 * ```ts
 * session.on('serverEvent', (e) => {
 *   if (isServerEvent(e, 'response.done')) console.log(e.response.usage);
 * });
 * ```
 */
export function isServerEvent<K extends KnownServerEventType>(
  event: ServerEvent,
  type: K,
): event is Extract<ServerEvent, ServerEventOf<K>> & ServerEventOf<K> {
  return gaTypeOf(event.type) === type;
}
