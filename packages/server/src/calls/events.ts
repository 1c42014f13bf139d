/**
 * The events of a controlled call, for logs, billing and alerts (`createCallController`'s
 * `onEvent`). One map, one payload object per event.
 */
import type { CallUsage } from './pricing.js';

/**
 * Why a call ended (or was hung up):
 * - `max_duration`, `max_cost`, `idle_timeout`: a limit; the controller hung up;
 * - `pin_violations`: the page kept changing pinned fields (over `maxRestores` restores); hung up;
 * - `hung_up`: your code called `controller.hangup()`;
 * - `shutdown`: `controller.close()` hung up the calls still running;
 * - `sideband_failed`: the sideband could not attach (the call is hung up: it would run unpoliced);
 * - `sideband_lost`: the sideband dropped without a clean close (hung up for the same reason);
 * - `browser_gone`: the provider ended the call by itself (the page left, or its own limits).
 */
export type CallEndReason =
  | 'max_duration'
  | 'max_cost'
  | 'idle_timeout'
  | 'pin_violations'
  | 'hung_up'
  | 'shutdown'
  | 'sideband_failed'
  | 'sideband_lost'
  | 'browser_gone';

/** Fields every call event carries. */
export interface CallEventBase {
  /** The provider's call id, `rtc_…`. */
  callId: string;
  /** The user id returned by `authorize` (not hashed), or undefined. */
  userId: string | undefined;
  /** The session's model (Azure: the deployment). */
  model: string;
}

/** Usage and cost of a call so far. */
export interface CallUsageFields {
  /** `response.done` events counted. */
  responses: number;
  /** The summed `usage` objects of those responses (the provider's shape). */
  usage: CallUsage;
  /** Estimated cost in US dollars; undefined when the model has no known price. */
  costUsd: number | undefined;
}

/** Every event, by type. */
export interface CallEventMap {
  /** The controller took the call (it exists upstream; the sideband is being attached). */
  'call.started': CallEventBase;
  /** The page changed pinned fields; they were sent back. `restores` counts the restores of this call. */
  'call.session_restored': CallEventBase & { fields: string[]; restores: number };
  /** A server tool ran. */
  'call.tool': CallEventBase & { name: string; toolCallId: string; ok: boolean; error?: string; durationMs: number };
  /** After each `response.done`: the totals so far. */
  'call.usage': CallEventBase & CallUsageFields;
  /** The controller is hanging up, and why. */
  'call.hangup': CallEventBase & { reason: CallEndReason };
  /** A problem that did not end the call by itself (a refused `session.update`, a failed hangup…). */
  'call.error': CallEventBase & { code: string; message: string };
  /** The call is over: the last event of a call. */
  'call.ended': CallEventBase & CallUsageFields & { reason: CallEndReason; durationS: number };
}

/** One call event: `{ type, …payload }`. */
export type CallEvent = { [K in keyof CallEventMap]: { type: K } & CallEventMap[K] }[keyof CallEventMap];

/** The type names of call events. */
export type CallEventType = keyof CallEventMap;

/** Every event type, in lifecycle order (kept in step with the map and the README by tests). */
export const CALL_EVENT_TYPES = Object.freeze([
  'call.started',
  'call.session_restored',
  'call.tool',
  'call.usage',
  'call.hangup',
  'call.error',
  'call.ended',
] as const satisfies readonly CallEventType[]);

/** Every end reason (kept in step with the README by a test). */
export const CALL_END_REASONS = Object.freeze([
  'max_duration',
  'max_cost',
  'idle_timeout',
  'pin_violations',
  'hung_up',
  'shutdown',
  'sideband_failed',
  'sideband_lost',
  'browser_gone',
] as const satisfies readonly CallEndReason[]);
