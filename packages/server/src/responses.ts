/**
 * Building the handler's JSON responses. Every response is `no-store`: an ephemeral key must
 * never sit in a shared cache, and neither should an error about one.
 */
import { ERROR_STATUS, type TokenErrorBody, type TokenHandlerError } from './errors.js';

/**
 * The success body sent to the browser: the key, its expiry, where to use it and the model.
 * Nothing else: the effective session (instructions, tools, MCP server details) that the
 * upstream returns with the key stays on the server.
 */
export interface TokenResponseBody {
  /** The ephemeral key, `ek_…`; use it as `Authorization: Bearer` on `calls_url`. */
  value: string;
  /** Unix seconds at which the key stops creating sessions. */
  expires_at: number;
  /** Absolute URL the browser POSTs its SDP offer to. */
  calls_url: string;
  /** The session's model as the upstream reports it (e.g. `gpt-realtime-2025-08-25`; the deployment name on Azure). */
  model?: string;
}

/** Serialises `body` as JSON with `Cache-Control: no-store` and the given extra headers. */
export function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const out = new Headers(headers);
  out.set('content-type', 'application/json; charset=utf-8');
  out.set('cache-control', 'no-store');
  out.set('x-content-type-options', 'nosniff');
  return new Response(JSON.stringify(body), { status, headers: out });
}

/** The JSON error response for `error`, with `Retry-After` when it carries one. */
export function errorResponse(error: TokenHandlerError, headers: HeadersInit = {}): Response {
  const out = new Headers(headers);
  if (error.retryAfterSeconds !== undefined) out.set('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  const status = error.status >= 400 && error.status <= 599 ? error.status : ERROR_STATUS.internal_error;
  const body: TokenErrorBody = { error: { code: error.code, message: error.message } };
  return jsonResponse(status, body, out);
}
