/**
 * What the browser may ask for. The request body is a flat JSON object of override keys; only
 * keys the operator listed in `allowClientOverrides` are accepted, each validated with zod and
 * written into its place in the GA session.
 */
import { z } from 'zod';
import { TokenHandlerError } from './errors.js';
import { deepestIssue, type IssueLike } from './issue-path.js';
import { mergeSession, type RealtimeSessionConfig } from './session.js';

const turnDetection = z.union([
  z.null(),
  z.strictObject({
    type: z.literal('server_vad'),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().min(0).max(5_000).optional(),
    silence_duration_ms: z.number().int().min(0).max(10_000).optional(),
    idle_timeout_ms: z.number().int().min(5_000).max(30_000).nullable().optional(),
    create_response: z.boolean().optional(),
    interrupt_response: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('semantic_vad'),
    eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
    create_response: z.boolean().optional(),
    interrupt_response: z.boolean().optional(),
  }),
]);

/**
 * Every override the browser can be allowed to send, with its schema and where it goes in the
 * session. The request body uses these flat names, e.g. `{ "voice": "cedar" }`.
 */
const OVERRIDES = {
  /** `audio.output.voice`: one of the built-in voices. */
  voice: {
    schema: z.enum(['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar']),
    place: (v: unknown) => ({ audio: { output: { voice: v } } }),
  },
  /** `audio.output.speed`: 0.25–1.5. */
  speed: {
    schema: z.number().min(0.25).max(1.5),
    place: (v: unknown) => ({ audio: { output: { speed: v } } }),
  },
  /** `instructions`: up to 8,000 characters. Replaces the server's instructions; allow with care. */
  instructions: {
    schema: z.string().max(8_000),
    place: (v: unknown) => ({ instructions: v }),
  },
  /** `audio.input.turn_detection`: `server_vad`, `semantic_vad` or `null` (push-to-talk). */
  turn_detection: {
    schema: turnDetection,
    place: (v: unknown) => ({ audio: { input: { turn_detection: v } } }),
  },
  /** `audio.input.noise_reduction`: `{ type: "near_field" | "far_field" }` or `null`. */
  noise_reduction: {
    schema: z.union([z.null(), z.strictObject({ type: z.enum(['near_field', 'far_field']) })]),
    place: (v: unknown) => ({ audio: { input: { noise_reduction: v } } }),
  },
  /** `audio.input.transcription`: `{ model, language?, prompt? }` or `null`. */
  transcription: {
    schema: z.union([
      z.null(),
      z.strictObject({
        model: z.string().min(1).max(64),
        language: z.string().min(2).max(16).optional(),
        prompt: z.string().max(1_000).optional(),
      }),
    ]),
    place: (v: unknown) => ({ audio: { input: { transcription: v } } }),
  },
  /** `output_modalities`: `["audio"]` or `["text"]`. */
  output_modalities: {
    schema: z.union([z.tuple([z.literal('audio')]), z.tuple([z.literal('text')])]),
    place: (v: unknown) => ({ output_modalities: v }),
  },
  /** `max_output_tokens`: 1–4096 or `"inf"`. */
  max_output_tokens: {
    schema: z.union([z.number().int().min(1).max(4_096), z.literal('inf')]),
    place: (v: unknown) => ({ max_output_tokens: v }),
  },
} as const;

/** The name of a session field the browser can be allowed to set (see `allowClientOverrides`). */
export type ClientOverrideKey = keyof typeof OVERRIDES;

/** Every override key, in documentation order. */
export const CLIENT_OVERRIDE_KEYS: readonly ClientOverrideKey[] = Object.freeze(Object.keys(OVERRIDES) as ClientOverrideKey[]);

/** True when `key` is a known override key. */
export function isClientOverrideKey(key: string): key is ClientOverrideKey {
  return Object.prototype.hasOwnProperty.call(OVERRIDES, key);
}

/**
 * Validates the browser's overrides against the allowlist and returns the session to mint.
 *
 * @throws TokenHandlerError `override_not_allowed` for a key not in `allowed`, `invalid_override`
 *   for a value its schema rejects (the message names the key and the rule).
 */
export function applyOverrides(
  session: RealtimeSessionConfig,
  body: Record<string, unknown>,
  allowed: ReadonlySet<ClientOverrideKey>,
): RealtimeSessionConfig {
  let out = session;
  for (const [key, value] of Object.entries(body)) {
    if (!isClientOverrideKey(key) || !allowed.has(key)) {
      const list = allowed.size === 0 ? 'this endpoint accepts no overrides' : `allowed: ${[...allowed].join(', ')}`;
      throw new TokenHandlerError('override_not_allowed', `The browser may not set "${key.slice(0, 64)}" (${list}).`);
    }
    const spec = OVERRIDES[key];
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      const first = parsed.error.issues[0] as IssueLike | undefined;
      const issue = first === undefined ? { path: [], message: 'invalid value' } : deepestIssue(first);
      const where = [key, ...issue.path.map(String)].join('.');
      throw new TokenHandlerError('invalid_override', `Invalid "${where}": ${issue.message}.`);
    }
    out = mergeSession(out as Record<string, unknown>, spec.place(parsed.data) as Record<string, unknown>);
  }
  return out;
}
