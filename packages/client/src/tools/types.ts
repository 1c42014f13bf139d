import type { VoiceSession } from '../session/voice-session.js';

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  /** The `call_id` the model gave this call. */
  callId: string;
  /** Aborted when the call times out (`toolTimeoutMs`) or the session ends: stop work and release what you hold. */
  signal: AbortSignal;
  /** The session that received the call. */
  session: VoiceSession;
}

/**
 * A function the model may call. `parameters` is a JSON schema of the
 * arguments (with zod: `z.toJSONSchema(schema)`; rtvoice bundles no converter).
 *
 * @example
 * ```ts
 * const weather: ToolDefinition<{ city: string }> = {
 *   name: 'get_weather',
 *   description: 'Current weather in a city.',
 *   parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   execute: async ({ city }, { signal }) => (await fetch(`/api/weather?city=${city}`, { signal })).json(),
 * };
 * ```
 */
export interface ToolDefinition<Args = any> {
  /** The name the model calls (letters, digits, `_`, `-`). */
  name: string;
  /** What the tool does and when to use it: the model reads this. */
  description?: string;
  /** JSON schema of the arguments object. Default: an object with no properties. */
  parameters?: Record<string, unknown>;
  /**
   * Runs the call. Return anything JSON-serialisable (a string is sent as is);
   * throw to tell the model the call failed. Slow work is fine: the model
   * acknowledges it (see `toolAck`) and speaks the result when it comes.
   */
  execute(args: Args, context: ToolContext): unknown;
}
