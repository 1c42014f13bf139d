import type { RealtimeSessionInput, TurnDetectionInput } from './session-schema.js';

/** Audio format object of the GA session. */
export type AudioFormat = { type: 'audio/pcm'; rate: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

/** Sample rate of a session audio format: 24 kHz for `audio/pcm`, 8 kHz for G.711 (`audio/pcmu`, `audio/pcma`). */
export function audioFormatRate(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? format.rate : 8_000;
}

/** Effective `server_vad` configuration. */
export interface ServerVad {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  idle_timeout_ms: number | null;
  create_response: boolean;
  interrupt_response: boolean;
}

/** Effective `semantic_vad` configuration. */
export interface SemanticVad {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

/** Effective turn detection; `null` means push-to-talk. */
export type TurnDetection = ServerVad | SemanticVad | null;

/** The full effective session object, as in `session.created` / `session.updated`. */
export interface RealtimeSession {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: Array<'audio' | 'text'>;
  instructions: string;
  tools: unknown[];
  tool_choice: unknown;
  max_output_tokens: number | 'inf';
  tracing: unknown;
  truncation: unknown;
  prompt: unknown;
  expires_at: number;
  audio: {
    input: {
      format: AudioFormat;
      transcription: { model?: string; language?: string; prompt?: string } | null;
      noise_reduction: { type: 'near_field' | 'far_field' } | null;
      turn_detection: TurnDetection;
    };
    output: { format: AudioFormat; voice: string | { id: string }; speed: number };
  };
  include: string[] | null;
}

/** Default model reported when the client names none. */
export const DEFAULT_MODEL = 'gpt-realtime';

/** Default instructions: honest about what answers. */
export const DEFAULT_INSTRUCTIONS =
  'rtvoice-sim: a local simulator of the OpenAI Realtime API. There is no model behind it; answers are scripted or parroted.';

/** `server_vad` defaults as reported by the service's `session.created` (silence 200 ms). */
export const SERVER_VAD_DEFAULTS: ServerVad = Object.freeze({
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 200,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
});

/** `semantic_vad` defaults. */
export const SEMANTIC_VAD_DEFAULTS: SemanticVad = Object.freeze({
  type: 'semantic_vad',
  eagerness: 'auto',
  create_response: true,
  interrupt_response: true,
});

const PCM24: AudioFormat = { type: 'audio/pcm', rate: 24000 };

/**
 * A fresh default session object.
 *
 * @param id - The `sess_…` id.
 * @param expiresAt - Unix seconds (0 in `client_secrets` responses, as in the official example).
 */
export function defaultSession(id: string, expiresAt: number): RealtimeSession {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model: DEFAULT_MODEL,
    output_modalities: ['audio'],
    instructions: DEFAULT_INSTRUCTIONS,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: expiresAt,
    audio: {
      input: {
        format: { ...PCM24 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...SERVER_VAD_DEFAULTS },
      },
      output: { format: { ...PCM24 }, voice: 'alloy', speed: 1 },
    },
    include: null,
  };
}

/**
 * Applies a validated update to a session and returns the new session.
 * Only fields present change (SPEC): `instructions: ""` clears, `tools: []`
 * clears, `turn_detection: null` turns VAD off. A `turn_detection` object of
 * the same type is merged into the current one; of another type it starts
 * from that type's defaults. `model` is fixed for the session's life.
 */
export function mergeSession(current: RealtimeSession, update: RealtimeSessionInput): RealtimeSession {
  const next: RealtimeSession = structuredClone(current);
  if (update.output_modalities !== undefined) next.output_modalities = [...update.output_modalities];
  if (update.instructions !== undefined) next.instructions = update.instructions;
  if (update.tools !== undefined) next.tools = structuredClone(update.tools);
  if (update.tool_choice !== undefined) next.tool_choice = structuredClone(update.tool_choice);
  if (update.max_output_tokens !== undefined) next.max_output_tokens = update.max_output_tokens;
  if (update.tracing !== undefined) next.tracing = structuredClone(update.tracing);
  if (update.truncation !== undefined) next.truncation = structuredClone(update.truncation);
  if (update.prompt !== undefined) next.prompt = structuredClone(update.prompt);
  if (update.include !== undefined) next.include = update.include ? [...update.include] : null;
  const input = update.audio?.input;
  if (input) {
    if (input.format !== undefined) next.audio.input.format = normaliseFormat(input.format);
    if (input.transcription !== undefined) next.audio.input.transcription = input.transcription ? { ...input.transcription } : null;
    if (input.noise_reduction !== undefined) next.audio.input.noise_reduction = input.noise_reduction ? { ...input.noise_reduction } : null;
    if (input.turn_detection !== undefined) {
      next.audio.input.turn_detection = mergeTurnDetection(current.audio.input.turn_detection, input.turn_detection);
    }
  }
  const output = update.audio?.output;
  if (output) {
    if (output.format !== undefined) next.audio.output.format = normaliseFormat(output.format);
    if (output.voice !== undefined) next.audio.output.voice = structuredClone(output.voice);
    if (output.speed !== undefined) next.audio.output.speed = output.speed;
  }
  return next;
}

/** Merges a client `turn_detection` value into the effective one. */
export function mergeTurnDetection(current: TurnDetection, update: TurnDetectionInput): TurnDetection {
  if (update === null) return null;
  if (update.type === 'server_vad') {
    const base: ServerVad = current?.type === 'server_vad' ? current : SERVER_VAD_DEFAULTS;
    return {
      type: 'server_vad',
      threshold: update.threshold ?? base.threshold,
      prefix_padding_ms: update.prefix_padding_ms ?? base.prefix_padding_ms,
      silence_duration_ms: update.silence_duration_ms ?? base.silence_duration_ms,
      idle_timeout_ms: update.idle_timeout_ms !== undefined ? update.idle_timeout_ms : base.idle_timeout_ms,
      create_response: update.create_response ?? base.create_response,
      interrupt_response: update.interrupt_response ?? base.interrupt_response,
    };
  }
  const base: SemanticVad = current?.type === 'semantic_vad' ? current : SEMANTIC_VAD_DEFAULTS;
  return {
    type: 'semantic_vad',
    eagerness: update.eagerness ?? base.eagerness,
    create_response: update.create_response ?? base.create_response,
    interrupt_response: update.interrupt_response ?? base.interrupt_response,
  };
}

function normaliseFormat(format: { type: string; rate?: number }): AudioFormat {
  if (format.type === 'audio/pcmu') return { type: 'audio/pcmu' };
  if (format.type === 'audio/pcma') return { type: 'audio/pcma' };
  return { ...PCM24 };
}
