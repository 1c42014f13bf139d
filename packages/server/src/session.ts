/**
 * The server-pinned Realtime session: defaults, and the deep merge of the operator's
 * session over them.
 */

/**
 * A GA Realtime session object as sent to `POST /v1/realtime/client_secrets` (`session`).
 * Only the common fields are typed; any other GA field passes through unchanged.
 */
export interface RealtimeSessionConfig {
  /** Always `"realtime"` for speech-to-speech sessions. */
  type?: 'realtime';
  /** Model id, e.g. `"gpt-realtime"`. */
  model?: string;
  /** System instructions. */
  instructions?: string;
  /** `["audio"]` or `["text"]`. */
  output_modalities?: string[];
  /** Audio input and output settings. */
  audio?: {
    /** Input: format, transcription, noise reduction and turn detection. */
    input?: {
      /** Turn detection (`server_vad`, `semantic_vad`) or `null` for push-to-talk. */
      turn_detection?: Record<string, unknown> | null;
      /** Input transcription, or `null` (off). */
      transcription?: Record<string, unknown> | null;
      /** Noise reduction, or `null` (off). */
      noise_reduction?: Record<string, unknown> | null;
      [key: string]: unknown;
    };
    /** Output: format, voice and speed. */
    output?: {
      /** Voice id, e.g. `"marin"`. */
      voice?: string;
      /** Speech speed, 0.25–1.5. */
      speed?: number;
      [key: string]: unknown;
    };
  };
  /** Tools the model may call. */
  tools?: unknown[];
  /** `"auto"`, `"none"`, `"required"` or a specific function. */
  tool_choice?: unknown;
  /** Maximum output tokens per response, or `"inf"`. */
  max_output_tokens?: number | 'inf';
  [key: string]: unknown;
}

/** The session every mint starts from before the operator's `session` option is merged in. */
export const DEFAULT_SESSION: Readonly<RealtimeSessionConfig> = Object.freeze({
  type: 'realtime',
  model: 'gpt-realtime',
  audio: { output: { voice: 'marin' } },
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep-merges `patch` over `base` into a new object. Plain objects merge key by key; arrays,
 * `null` and scalars in `patch` replace what `base` had; `undefined` in `patch` is ignored.
 * Neither argument is modified.
 */
export function mergeSession<T extends Record<string, unknown>>(base: T, patch: Record<string, unknown> | undefined): T {
  const out: Record<string, unknown> = structuredClone(base);
  if (patch === undefined) return out as T;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeSession(current, value) : structuredClone(value);
  }
  return out as T;
}

/** Beta-era session keys (flat) and where the GA session wants them. */
const BETA_KEYS: Readonly<Record<string, string>> = Object.freeze({
  voice: 'audio.output.voice',
  speed: 'audio.output.speed',
  modalities: 'output_modalities',
  input_audio_format: 'audio.input.format',
  output_audio_format: 'audio.output.format',
  input_audio_transcription: 'audio.input.transcription',
  input_audio_noise_reduction: 'audio.input.noise_reduction',
  turn_detection: 'audio.input.turn_detection',
  max_response_output_tokens: 'max_output_tokens',
  temperature: '(no GA equivalent; remove it)',
});

/**
 * Finds beta-shaped keys in a session meant for the GA API, which the upstream would reject with
 * `unknown_parameter` on every mint. Returns a human hint for the first one, or undefined.
 */
export function betaKeyHint(session: Record<string, unknown> | undefined): string | undefined {
  if (session === undefined) return undefined;
  for (const key of Object.keys(session)) {
    const target = BETA_KEYS[key];
    if (target !== undefined) return `"session.${key}" is the beta session shape; the GA API expects session.${target}`;
  }
  return undefined;
}
