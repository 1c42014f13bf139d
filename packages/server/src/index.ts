/**
 * `@rtvoice/server`: the token endpoint that keeps the real API key on the server and mints
 * short-lived Realtime keys with a server-pinned session. Runtime-neutral (Web `Request` /
 * `Response`); Node adapters live in `@rtvoice/server/node`.
 */
export { createTokenHandler } from './handler.js';
export type { TokenHandler, TokenRequestContext } from './handler.js';
export { OPENAI_UPSTREAM } from './options.js';
export type { MintEvent, TokenHandlerOptions } from './options.js';
export { DEFAULT_SESSION } from './session.js';
export type { RealtimeSessionConfig } from './session.js';
export { ERROR_STATUS, TokenHandlerError, isTokenHandlerError } from './errors.js';
export type { TokenErrorBody, TokenErrorCode, TokenHandlerErrorOptions } from './errors.js';
export type { TokenResponseBody } from './responses.js';
export type { TokenLogEntry, TokenLogSink, TokenLoggerOption } from './logger.js';
