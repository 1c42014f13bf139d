/**
 * `@rtvoice/server`: the token endpoint that keeps the real API key on the server and mints
 * short-lived Realtime keys with a server-pinned session. Runtime-neutral (Web `Request` /
 * `Response`); Node adapters live in `@rtvoice/server/node`.
 */

// The handler and its options.
export { createTokenHandler } from './handler.js';
export type { TokenHandler, TokenRequestContext } from './handler.js';
export { OPENAI_UPSTREAM } from './options.js';
export type { MintEvent, RejectEvent, TokenHandlerOptions } from './options.js';
export type { AzureOptions } from './provider.js';

// The pinned session and what the browser may override.
export { DEFAULT_SESSION } from './session.js';
export type { RealtimeSessionConfig } from './session.js';
export { CLIENT_OVERRIDE_KEYS } from './overrides.js';
export type { ClientOverrideKey } from './overrides.js';

// Who may mint.
export type { AllowedOrigins, CorsOptions } from './cors.js';
export type { AllowedHosts } from './hosts.js';
export type { AuthorizeContext, AuthorizeHook, AuthorizeResult } from './identity.js';
export { hashUserId, hmacUserId } from './identity.js';
export type { ClientIpOptions } from './client-ip.js';

// Rate limits.
export { DEFAULT_PER_IP, DEFAULT_PER_USER } from './rate-limit/limiter.js';
export type { RateLimitOptions } from './rate-limit/limiter.js';
export type { RateLimitRule, TakeResult } from './rate-limit/token-bucket.js';
export type { RateLimitStore } from './rate-limit/store.js';
export { MemoryRateLimitStore } from './rate-limit/memory-store.js';
export type { MemoryRateLimitStoreOptions } from './rate-limit/memory-store.js';
export { RedisRateLimitStore, TOKEN_BUCKET_LUA } from './rate-limit/redis-store.js';
export type { RedisEvalClient, RedisRateLimitStoreOptions } from './rate-limit/redis-store.js';

// Responses, errors and logs.
export type { TokenResponseBody } from './responses.js';
export { ERROR_STATUS, TokenHandlerError, isTokenHandlerError } from './errors.js';
export type { TokenErrorBody, TokenErrorCode, TokenHandlerErrorOptions } from './errors.js';
export type { TokenLogEntry, TokenLogSink, TokenLoggerOption } from './logger.js';

// Server-controlled calls: the browser POSTs its SDP offer to your server (no key reaches the page).
export { createCallHandler } from './calls/call-handler.js';
export type { CallHandler } from './calls/call-handler.js';
export type { CallConnectedEvent, CallHandlerOptions } from './calls/call-options.js';
export { CALL_ERROR_STATUS, CallHandlerError, isCallHandlerError } from './calls/errors.js';
export type { CallErrorBody, CallErrorCode, CallHandlerErrorOptions } from './calls/errors.js';
export { CALL_SLOTS_LUA, MemoryCallSlotStore, RedisCallSlotStore } from './calls/concurrency.js';
export type { AcquireResult, CallSlotStore, MemoryCallSlotStoreOptions, RedisCallSlotStoreOptions } from './calls/concurrency.js';
export type { CallControllerLike, CallSlot, CallUpstream, ControlledCall, FunctionToolDeclaration } from './calls/types.js';
export type { CallProviderName } from './calls/providers.js';
export type { CallLogEntry, CallLogSink, CallLoggerOption } from './calls/log.js';
