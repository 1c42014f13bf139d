/**
 * Error codes, the error class and the JSON error response of the token endpoint.
 *
 * Every error the browser can see has a stable snake_case `code`, an HTTP status and a
 * human message written by this package. Upstream messages are never forwarded verbatim,
 * because some of them quote part of the API key ("Incorrect API key provided: sk-…"), and an
 * upstream 401/403/429 reaches the browser only as 502/503: an anonymous caller must not learn
 * the state of the server's credentials or quota (the detail goes to the logs).
 */

/**
 * Stable error codes. Request-time codes are sent to the browser as
 * `{ "error": { "code", "message" } }`; `missing_api_key` and `invalid_options` are thrown by
 * {@link createTokenHandler} at configuration time and never reach a browser.
 */
export type TokenErrorCode =
  | 'method_not_allowed'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'rate_limiter_unavailable'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'invalid_json'
  | 'invalid_body'
  | 'override_not_allowed'
  | 'invalid_override'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_invalid_response'
  | 'client_closed_request'
  | 'internal_error'
  | 'missing_api_key'
  | 'invalid_options';

/** The HTTP status sent for each request-time code (configuration codes use 500 nominally). */
export const ERROR_STATUS: Readonly<Record<TokenErrorCode, number>> = Object.freeze({
  method_not_allowed: 405,
  origin_not_allowed: 403,
  host_not_allowed: 403,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  rate_limiter_unavailable: 503,
  unsupported_media_type: 415,
  body_too_large: 413,
  invalid_json: 400,
  invalid_body: 400,
  override_not_allowed: 400,
  invalid_override: 400,
  upstream_error: 502,
  upstream_unavailable: 503,
  upstream_unreachable: 502,
  upstream_timeout: 504,
  upstream_invalid_response: 502,
  client_closed_request: 499,
  internal_error: 500,
  missing_api_key: 500,
  invalid_options: 500,
});

/** Options of {@link TokenHandlerError}. */
export interface TokenHandlerErrorOptions {
  /** HTTP status; defaults to the code's entry in {@link ERROR_STATUS}. */
  status?: number;
  /** Seconds the caller should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** The underlying error, kept for server-side debugging; never serialised to the browser. */
  cause?: unknown;
}

/**
 * The one error class of `@rtvoice/server`. Thrown by {@link createTokenHandler} for bad
 * configuration, and usable from an `authorize` hook to refuse a request with a chosen code
 * (for example `new TokenHandlerError('forbidden', 'Your plan has no voice minutes left.')`).
 */
export class TokenHandlerError extends Error {
  override readonly name = 'TokenHandlerError';
  /** Stable snake_case code. */
  readonly code: TokenErrorCode;
  /** HTTP status sent to the browser. */
  readonly status: number;
  /** Seconds to wait before retrying, when known. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * @param code - stable snake_case code.
   * @param message - safe, human message; it is sent to the browser as is.
   * @param options - status override, `Retry-After` seconds and cause.
   */
  constructor(code: TokenErrorCode, message: string, options: TokenHandlerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * True when `value` is a {@link TokenHandlerError}, also across two copies of the package
 * (where `instanceof` fails).
 */
export function isTokenHandlerError(value: unknown): value is TokenHandlerError {
  return (
    value instanceof TokenHandlerError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TokenHandlerError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      typeof (value as { status?: unknown }).status === 'number')
  );
}

/** The JSON body of every error response: `{ "error": { "code", "message" } }`. */
export interface TokenErrorBody {
  /** The error. */
  error: {
    /** Stable snake_case code. */
    code: TokenErrorCode;
    /** Safe, human message. */
    message: string;
  };
}
