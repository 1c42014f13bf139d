/**
 * Structured log lines of server-controlled calls, through the token endpoint's log sink (same
 * `"silent"` / `"json"` / function option, same secret scrubbing, a failing sink ignored).
 */
import { createLogSink, type TokenLogEntry } from '../logger.js';
import type { CallEvent } from './events.js';

/** One structured log line about a call. Field names are stable; new fields may be added. */
export interface CallLogEntry {
  /** ISO timestamp. */
  time: string;
  /** `info` for normal lifecycle, `warn` for refusals, restores and limit hangups, `error` for failures. */
  level: 'info' | 'warn' | 'error';
  /**
   * What happened: the endpoint logs `call.connected`, `call.rejected` and `call.failed`; the
   * controller logs its events (`call.started`, `call.session_restored`, `call.tool`,
   * `call.usage`, `call.hangup`, `call.ended`, `call.error`).
   */
  event: string;
  /** The provider's call id, `rtc_…`. */
  callId?: string;
  /** HTTP status sent to the browser (endpoint lines). */
  status?: number;
  /** Error code (refusals, failures, `call.error`). */
  code?: string;
  /** Client IP as resolved. */
  ip?: string;
  /** The user id, keyed (`hmac:` with `safetyIdentifier.secret`, else `sha256:`; 32 hex). */
  user?: string;
  /** Request `Origin`. */
  origin?: string;
  /** The session's model. */
  model?: string;
  /** Why a call ended or was hung up. */
  reason?: string;
  /** Fields restored by a `call.session_restored`. */
  fields?: string[];
  /** Server tool name (`call.tool`). */
  tool?: string;
  /** Whether a server tool succeeded. */
  ok?: boolean;
  /** Total handler time, tool time, in milliseconds. */
  durationMs?: number;
  /** Call length in seconds (`call.ended`). */
  durationS?: number;
  /** Responses counted so far. */
  responses?: number;
  /** Input and output tokens so far. */
  inputTokens?: number;
  outputTokens?: number;
  /** Estimated cost so far in US dollars. */
  costUsd?: number;
  /** Time spent waiting for the upstream, in milliseconds. */
  upstreamMs?: number;
  /** Upstream HTTP status, when it answered with an error. */
  upstreamStatus?: number;
  /** Upstream error code (`invalid_api_key`, Azure's `"401"`…), when it is a plain token. */
  upstreamCode?: string;
  /** Upstream error type, when it is a plain token. */
  upstreamType?: string;
  /** Upstream error message, shortened, key-like strings removed. Never sent to the browser. */
  upstreamMessage?: string;
  /** Network error code such as `ECONNREFUSED`. */
  causeCode?: string;
  /** A safe human message (`call.error`). */
  message?: string;
}

/** Receives each call log entry. */
export type CallLogSink = (entry: CallLogEntry) => void;

/** Where call log lines go: `"silent"` (default), `"json"` (stdout for `info`, stderr otherwise) or your function. */
export type CallLoggerOption = 'silent' | 'json' | CallLogSink;

/** A log function that stamps the time; the secrets are removed from every entry. */
export type CallLog = (entry: Omit<CallLogEntry, 'time'>) => void;

/** Builds the log function of the call endpoint or of one controlled call. */
export function createCallLog(option: CallLoggerOption | undefined, secrets: readonly string[]): CallLog {
  // The token endpoint's sink is typed for its own entries; the scrubbing and routing are the same.
  const adapted = typeof option === 'function' ? (entry: TokenLogEntry) => option(entry as unknown as CallLogEntry) : option;
  const sink = createLogSink(adapted, secrets);
  return (entry) => sink({ time: new Date().toISOString(), ...entry } as unknown as TokenLogEntry);
}

const LIMITS: ReadonlySet<string> = new Set(['max_duration', 'max_cost', 'idle_timeout', 'pin_violations']);

/** The log line of an event: counts and codes, never a payload the provider wrote. */
export function eventLogEntry(event: CallEvent, user: string | undefined): Omit<CallLogEntry, 'time'> {
  const base = { event: event.type, callId: event.callId, model: event.model, ...(user === undefined ? {} : { user }) };
  switch (event.type) {
    case 'call.started':
      return { level: 'info', ...base };
    case 'call.session_restored':
      return { level: 'warn', ...base, fields: event.fields };
    case 'call.tool':
      return { level: event.ok ? 'info' : 'warn', ...base, tool: event.name, ok: event.ok, durationMs: event.durationMs, ...(event.error ? { code: event.error } : {}) };
    case 'call.hangup':
      return { level: LIMITS.has(event.reason) ? 'warn' : 'info', ...base, reason: event.reason };
    case 'call.error':
      return { level: 'error', ...base, code: event.code, message: event.message };
    case 'call.usage':
    case 'call.ended':
      return {
        level: 'info',
        ...base,
        ...(event.type === 'call.ended' ? { reason: event.reason, durationS: event.durationS } : {}),
        responses: event.responses,
        inputTokens: event.usage.input_tokens,
        outputTokens: event.usage.output_tokens,
        ...(event.costUsd === undefined ? {} : { costUsd: Math.round(event.costUsd * 1e6) / 1e6 }),
      };
  }
}
