/**
 * Error codes and the JSON error response of the call endpoint (`createCallHandler`).
 *
 * The front door (origin, method, `authorize`, rate limits, body size) shares its codes with the
 * token endpoint; the rest are the call's own. Upstream failures reach the browser only as
 * `upstream_error` (502) or `upstream_unavailable` (503): the provider's status and code go to the
 * log, never to the page, because the browser cannot act on them (and some quote the key).
 */
import { isTokenHandlerError } from '../errors.js';
import { jsonResponse } from '../responses.js';

/** Stable snake_case codes of the call endpoint. `missing_api_key` and `invalid_options` are thrown at creation. */
export type CallErrorCode =
  | 'method_not_allowed'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'rate_limiter_unavailable'
  | 'too_many_calls'
  | 'call_limit_reached'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'invalid_body'
  | 'invalid_offer'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'client_closed_request'
  | 'internal_error'
  | 'missing_api_key'
  | 'invalid_options';

/** The HTTP status sent for each code. */
export const CALL_ERROR_STATUS: Readonly<Record<CallErrorCode, number>> = Object.freeze({
  method_not_allowed: 405,
  origin_not_allowed: 403,
  host_not_allowed: 403,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  rate_limiter_unavailable: 503,
  too_many_calls: 429,
  call_limit_reached: 409,
  unsupported_media_type: 415,
  body_too_large: 413,
  invalid_body: 400,
  invalid_offer: 400,
  upstream_error: 502,
  upstream_unavailable: 503,
  client_closed_request: 499,
  internal_error: 500,
  missing_api_key: 500,
  invalid_options: 500,
});

/** Options of {@link CallHandlerError}. */
export interface CallHandlerErrorOptions {
  /** Seconds the caller should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** The underlying error or upstream detail, for the log only; never sent to the browser. */
  cause?: unknown;
}

/**
 * The error class of the call endpoint and its controller. Thrown at creation for bad options
 * (`invalid_options`, `missing_api_key`); a request-time one becomes the JSON error response.
 */
export class CallHandlerError extends Error {
  override readonly name = 'CallHandlerError';
  /** Stable snake_case code. */
  readonly code: CallErrorCode;
  /** HTTP status sent to the browser. */
  readonly status: number;
  /** Seconds to wait before retrying, when known. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * @param code - stable snake_case code.
   * @param message - safe, human message; it is sent to the browser as is.
   * @param options - `Retry-After` seconds and cause.
   */
  constructor(code: CallErrorCode, message: string, options: CallHandlerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = CALL_ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True when `value` is a {@link CallHandlerError}, also across two copies of the package. */
export function isCallHandlerError(value: unknown): value is CallHandlerError {
  return (
    value instanceof CallHandlerError ||
    (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'CallHandlerError' && typeof (value as { code?: unknown }).code === 'string')
  );
}

/** The JSON body of every error response: `{ "error": { "code", "message" } }`. */
export interface CallErrorBody {
  /** The error. */
  error: {
    /** Stable snake_case code. */
    code: CallErrorCode;
    /** Safe, human message. */
    message: string;
  };
}

/**
 * Turns anything thrown while serving a call request into a {@link CallHandlerError}: its own
 * errors as they are, the front door's `TokenHandlerError`s (`authorize`, rate limits, body) with
 * their code, status and message, anything else (or a message quoting a secret) as `internal_error`.
 */
export function toCallError(caught: unknown, leaksSecret: (text: string) => boolean): CallHandlerError {
  if (isCallHandlerError(caught) && !leaksSecret(caught.message)) return caught;
  if (isTokenHandlerError(caught) && !leaksSecret(caught.message) && caught.code in CALL_ERROR_STATUS) {
    const error = new CallHandlerError(caught.code as CallErrorCode, caught.message, {
      cause: caught.cause,
      ...(caught.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: caught.retryAfterSeconds }),
    });
    // An authorize hook may have chosen its own status for its own code.
    return caught.status === error.status ? error : Object.assign(error, { status: caught.status });
  }
  return new CallHandlerError('internal_error', 'The call endpoint failed unexpectedly.', { cause: caught });
}

/** The JSON error response for `error`, with `Retry-After` when it carries one. */
export function callErrorResponse(error: CallHandlerError, headers: HeadersInit = {}): Response {
  const out = new Headers(headers);
  if (error.retryAfterSeconds !== undefined) out.set('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  const status = error.status >= 400 && error.status <= 599 ? error.status : CALL_ERROR_STATUS.internal_error;
  const body: CallErrorBody = { error: { code: error.code, message: error.message } };
  return jsonResponse(status, body, out);
}
