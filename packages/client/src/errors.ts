/**
 * Every error code rtvoice can report. Codes are stable strings: match on
 * `error.code`, never on the message, which may change between versions.
 *
 * | code | when |
 * | --- | --- |
 * | `invalid_options` | The options given to {@link VoiceSession} do not validate. |
 * | `unsupported_environment` | No WebRTC or no `navigator.mediaDevices` (for example during SSR). |
 * | `invalid_state` | A method was called in a state where it cannot run (for example `send()` before `connect()`). |
 * | `token_fetch_failed` | The token endpoint could not be reached, answered with an error, or returned no key. |
 * | `mic_permission_denied` | The user or the browser refused microphone access. |
 * | `mic_not_found` | No microphone matches the request. |
 * | `mic_in_use` | The microphone exists but cannot be opened (busy or hardware error). |
 * | `mic_failed` | Any other `getUserMedia` failure, or the mic track ended by itself mid-session. |
 * | `sdp_rejected` | The Realtime endpoint refused the SDP offer (status and server message in the text). |
 * | `network_error` | The SDP exchange could not reach the Realtime endpoint. |
 * | `ice_failed` | The peer connection failed or stayed disconnected. |
 * | `data_channel_closed` | The `oai-events` data channel closed while the session was live. |
 * | `websocket_closed` | The WebSocket transport's socket closed while the session was live (close code and reason in the text; not retryable for the service's 3000–4999 refusals). |
 * | `audio_worklet_failed` | The WebSocket transport could not load its audio worklet (`workletUrl`). |
 * | `connect_timeout` | `connect()` took longer than `connectTimeoutMs`. |
 * | `aborted` | `connect()` was cancelled by `disconnect()` or by the caller's `AbortSignal`. |
 * | `malformed_event` | A data-channel frame was not valid JSON or did not match its event schema. The session goes on. |
 * | `server_error` | The server sent an `error` event (details in `serverError`). The session goes on. |
 * | `autoplay_blocked` | The browser refused to start remote audio playback without a user gesture. |
 * | `audio_playback_failed` | The model's voice could not be played for another reason than autoplay (no supported output, a device error). |
 * | `listener_error` | One of your event listeners threw; the error is in `cause`. |
 * | `tool_failed` | A tool's `execute` threw, its arguments were not JSON, or the model called a tool you did not declare. The model is told; the session goes on. |
 * | `tool_timeout` | A tool did not finish within `toolTimeoutMs`. The model is told; the session goes on. |
 * | `budget_exceeded` | The session's cost passed `budget.maxUsd`. |
 * | `unsupported` | The browser lacks the feature a method needs (for example `setSinkId` for `setOutputDevice()`). |
 * | `reconnect_failed` | The connection was lost and every reconnection attempt failed (the last failure is in `cause`). |
 */
export type RtvoiceErrorCode =
  | 'invalid_options'
  | 'unsupported_environment'
  | 'invalid_state'
  | 'token_fetch_failed'
  | 'mic_permission_denied'
  | 'mic_not_found'
  | 'mic_in_use'
  | 'mic_failed'
  | 'sdp_rejected'
  | 'network_error'
  | 'ice_failed'
  | 'data_channel_closed'
  | 'websocket_closed'
  | 'audio_worklet_failed'
  | 'connect_timeout'
  | 'aborted'
  | 'malformed_event'
  | 'server_error'
  | 'autoplay_blocked'
  | 'audio_playback_failed'
  | 'listener_error'
  | 'tool_failed'
  | 'tool_timeout'
  | 'budget_exceeded'
  | 'unsupported'
  | 'reconnect_failed';

/** The body of a Realtime `error` server event, as sent by the service. */
export interface RealtimeErrorDetail {
  type: string;
  code?: string | null;
  message: string;
  param?: string | null;
  event_id?: string | null;
}

/** Extra, optional context an {@link RtvoiceError} may carry. */
export interface RtvoiceErrorOptions {
  /** The underlying error, kept for debugging. Never contains a key. */
  cause?: unknown;
  /** HTTP status, for errors that come from an HTTP exchange. */
  status?: number;
  /** The server's `error` event body, for `server_error`. */
  serverError?: RealtimeErrorDetail;
  /** Whether trying the same operation again may succeed. */
  retryable?: boolean;
  /** How long the server asked to wait before retrying (from `Retry-After`), in ms. */
  retryAfterMs?: number;
}

const RETRYABLE: ReadonlySet<RtvoiceErrorCode> = new Set([
  'token_fetch_failed',
  'network_error',
  'ice_failed',
  'data_channel_closed',
  'connect_timeout',
  'mic_in_use',
]);

/**
 * The one error class of rtvoice. Every failure the SDK reports, thrown or
 * emitted as an `error` event, is an `RtvoiceError` with a stable `code`.
 *
 * @example
 * ```ts
 * session.on('error', (err) => {
 *   if (err.code === 'mic_permission_denied') showMicHelp();
 * });
 * ```
 */
export class RtvoiceError extends Error {
  /** Always `'RtvoiceError'` (a literal, so it survives minification). */
  override readonly name = 'RtvoiceError';
  /** A stable code; see {@link RtvoiceErrorCode}. */
  declare readonly code: RtvoiceErrorCode;
  /** HTTP status, when the error came from an HTTP exchange. */
  declare readonly status: number | undefined;
  /** The server's error body, for `server_error`. */
  declare readonly serverError: RealtimeErrorDetail | undefined;
  /** Whether retrying the operation may succeed. */
  declare readonly retryable: boolean;
  /** How long the server asked to wait before retrying (from `Retry-After`), in ms, when it said. */
  declare readonly retryAfterMs: number | undefined;

  constructor(code: RtvoiceErrorCode, message: string, options: RtvoiceErrorOptions = {}) {
    super(message, options);
    // Every field is an own property, `undefined` when not given.
    Object.assign(this, { status: undefined, serverError: undefined, retryAfterMs: undefined, ...options, code, retryable: options.retryable ?? RETRYABLE.has(code) });
  }
}

/**
 * True when `value` is an {@link RtvoiceError}. Checks the shape rather than
 * `instanceof`, so it also works across two copies of the library on one page
 * (the widget's script-tag bundle next to an npm install).
 */
export function isRtvoiceError(value: unknown): value is RtvoiceError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'RtvoiceError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Wraps anything thrown into an RtvoiceError, keeping RtvoiceErrors as they are. */
export function toRtvoiceError(value: unknown, fallback: RtvoiceErrorCode, message: string): RtvoiceError {
  if (isRtvoiceError(value)) return value;
  return new RtvoiceError(fallback, message, { cause: value });
}
