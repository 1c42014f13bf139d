/**
 * Options of {@link createCallHandler}, their defaults and their validation. Runs once, at
 * creation; a bad option throws `CallHandlerError` `invalid_options` naming it. The options the
 * call endpoint shares with the token endpoint (provider, origins, hosts, `authorize`, rate
 * limits, client IP, safety identifier) mean the same and are resolved by the same modules.
 */
import { z } from 'zod';
import type { ClientIpOptions } from '../client-ip.js';
import type { AllowedOrigins, CorsOptions } from '../cors.js';
import { isTokenHandlerError } from '../errors.js';
import { validateAllowedHosts, type AllowedHosts } from '../hosts.js';
import type { AuthorizeHook } from '../identity.js';
import { deepestIssue, type IssueLike } from '../issue-path.js';
import type { RejectEvent } from '../options.js';
import { resolveProvider, type AzureOptions, type UpstreamProvider } from '../provider.js';
import { MemoryRateLimitStore } from '../rate-limit/memory-store.js';
import type { RateLimitOptions } from '../rate-limit/limiter.js';
import { betaKeyHint, DEFAULT_SESSION, mergeSession, type RealtimeSessionConfig } from '../session.js';
import { type CallSlotStore, isCallSlotStore, MemoryCallSlotStore } from './concurrency.js';
import { CallHandlerError } from './errors.js';
import type { CallLoggerOption } from './log.js';
import { callEndpoints, type CallEndpoints } from './providers.js';
import type { CallControllerLike } from './types.js';

const FACTORY = 'createCallHandler';

/** Facts about one connected call, given to `onCall`. */
export interface CallConnectedEvent {
  /** The provider's call id, `rtc_…`. */
  callId: string;
  /** The user id returned by `authorize` (not hashed), or undefined. */
  userId: string | undefined;
  /** Client IP as resolved. */
  ip: string;
  /** The session's model (Azure: the deployment). */
  model: string;
  /** Request `Origin`, when present. */
  origin: string | undefined;
}

/** Options of {@link createCallHandler}. Every field is optional; shared ones mean what they mean for `createTokenHandler`. */
export interface CallHandlerOptions extends ClientIpOptions {
  /** The real key; never leaves the server. Default `OPENAI_API_KEY` (OpenAI) / `AZURE_OPENAI_API_KEY` (Azure); never read for another upstream. */
  apiKey?: string;
  /** Realtime API base URL (`https:`, or `http:` on loopback). Default `https://api.openai.com/v1`. */
  upstream?: string;
  /** Azure OpenAI instead of `upstream`: `{ endpoint, deployment }`; the deployment is the session's model. */
  azure?: AzureOptions;
  /** The pinned session, deep-merged over `{ type: "realtime", model: "gpt-realtime", audio: { output: { voice: "marin" } } }`. */
  session?: RealtimeSessionConfig;
  /** A call controller (`createCallController` from `@rtvoice/server/node`): sideband, pins, server tools, limits. */
  controller?: CallControllerLike;
  /** `true` to let anyone who can reach the endpoint start calls on a real upstream without `authorize`. */
  public?: boolean;
  /** Which browser origins may start calls. Default: same origin only. */
  allowedOrigins?: AllowedOrigins;
  /** Host names the endpoint answers for (against DNS rebinding). */
  allowedHosts?: AllowedHosts;
  /** CORS details for cross-origin pages (`credentials: true` for cookies). */
  cors?: CorsOptions;
  /** Your login check; `{ userId }`, `true` (anonymous) or `false` (401). */
  authorize?: AuthorizeHook;
  /** Send `OpenAI-Safety-Identifier: HMAC-SHA256(secret, userId)` (OpenAI only). Default: nothing is sent. */
  safetyIdentifier?: { secret: string } | false;
  /** Token buckets per IP and per user, as the token endpoint's (each call takes one token). */
  rateLimit?: RateLimitOptions | false;
  /** Most calls one user (anonymous: one IP) may have at once; the next gets 429 `too_many_calls`. Needs `controller`. */
  maxConcurrentCallsPerUser?: number;
  /** Where call slots live. Default in memory; required when `rateLimit.store` is shared (use `RedisCallSlotStore`). */
  callSlots?: CallSlotStore;
  /** A slot not refreshed for this long frees itself (an instance that crashed). Default 120, 15–3600. */
  callSlotTtlSeconds?: number;
  /**
   * After the controller hung a call up for a limit (`max_duration`, `max_cost`, `idle_timeout`,
   * `pin_violations`), the same user (anonymous: IP) gets 409 `call_limit_reached` for this many
   * seconds. The page's automatic reconnection then ends in a typed error instead of a silent new
   * call. Default 15, 0 to turn off. Per instance (in memory).
   */
  limitCooldownS?: number;
  /** Upstream timeout in milliseconds (→ 503 `upstream_unavailable`). Default 10000. */
  timeoutMs?: number;
  /** Largest accepted SDP offer in bytes (→ 413). Default 65536. */
  maxOfferBytes?: number;
  /** Structured logging: `"silent"` (default), `"json"` or a function. */
  logger?: CallLoggerOption;
  /** After each call is connected, before the answer is sent; errors it throws are ignored. */
  onCall?: (event: CallConnectedEvent) => void | Promise<void>;
  /** After each refused or failed request; errors it throws are ignored. */
  onReject?: (event: RejectEvent) => void | Promise<void>;
  /** The fetch used for the upstream. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** Options after defaults and validation (internal). */
export interface ResolvedCallOptions {
  provider: UpstreamProvider;
  endpoints: CallEndpoints;
  session: RealtimeSessionConfig;
  model: string;
  controller: CallControllerLike | undefined;
  allowedOrigins: AllowedOrigins | undefined;
  allowedHosts: AllowedHosts | undefined;
  cors: CorsOptions;
  authorize: AuthorizeHook | undefined;
  safetySecret: string | undefined;
  rateLimit: RateLimitOptions | false | undefined;
  clientIp: ClientIpOptions;
  maxCalls: number | undefined;
  callSlots: CallSlotStore;
  slotTtlMs: number;
  /** See `limitCooldownS`, in ms. */
  limitCooldownMs: number;
  timeoutMs: number;
  maxOfferBytes: number;
  logger: CallLoggerOption | undefined;
  onCall: CallHandlerOptions['onCall'];
  onReject: CallHandlerOptions['onReject'];
  fetch: typeof fetch;
}

// The same rule shape as the token endpoint's `rateLimit`.
const rule = z.union([
  z.literal(false),
  z.object({ burst: z.number().int().min(1).max(1_000_000), perMinute: z.number().positive().max(1_000_000) }),
]);

const optionsSchema = z.object({
  apiKey: z.string().optional(),
  upstream: z.string().optional(),
  azure: z.object({ endpoint: z.string(), deployment: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a deployment name') }).optional(),
  session: z.record(z.string(), z.unknown()).optional(),
  controller: z
    .custom<CallControllerLike>(
      (v) => typeof (v as CallControllerLike | null)?.start === 'function' && Array.isArray((v as CallControllerLike).toolDeclarations),
      'must come from createCallController()',
    )
    .optional(),
  public: z.boolean().optional(),
  allowedOrigins: z.union([z.literal('*'), z.array(z.string()), z.function()]).optional(),
  allowedHosts: z.union([z.literal('*'), z.array(z.string())]).optional(),
  cors: z
    .object({
      allowHeaders: z.array(z.string().regex(/^[A-Za-z0-9-]+$/)).optional(),
      credentials: z.boolean().optional(),
      maxAgeSeconds: z.number().int().min(0).max(86_400).optional(),
    })
    .optional(),
  authorize: z.function().optional(),
  safetyIdentifier: z.union([z.literal(false), z.object({ secret: z.string().min(16, 'must be a secret of at least 16 characters') })]).optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.object({
        perIp: rule.optional(),
        perUser: rule.optional(),
        store: z.custom<object>((v) => typeof (v as { take?: unknown } | null)?.take === 'function', 'must have a take() method').optional(),
        failOpen: z.boolean().optional(),
        storeTimeoutMs: z.number().int().min(10).max(60_000).optional(),
        ipv6Prefix: z.number().int().min(48).max(128).optional(),
      }),
    ])
    .optional(),
  maxConcurrentCallsPerUser: z.number().int().min(1).max(10_000).optional(),
  callSlots: z.custom<CallSlotStore>(isCallSlotStore, 'must have acquire(), refresh() and release()').optional(),
  callSlotTtlSeconds: z.number().int().min(15).max(3600).optional(),
  limitCooldownS: z.number().min(0).max(3600).optional(),
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(16)]).optional(),
  clientIpHeader: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  maxOfferBytes: z.number().int().min(256).max(1_000_000).optional(),
  logger: z.union([z.literal('silent'), z.literal('json'), z.function()]).optional(),
  onCall: z.function().optional(),
  onReject: z.function().optional(),
  fetch: z.function().optional(),
});

/** Every option name `createCallHandler` accepts (kept in step with the README by a test). */
export const CALL_OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(optionsSchema.shape));

const invalid = (message: string) => new CallHandlerError('invalid_options', `Invalid ${FACTORY} option ${message}.`);

/** The pinned session: defaults, the operator's session, the Azure deployment, then the controller's server tools. */
function pinnedSession(options: CallHandlerOptions, provider: UpstreamProvider): RealtimeSessionConfig {
  const hint = betaKeyHint(options.session);
  if (hint !== undefined) throw invalid(`"session": ${hint}`);
  let session: RealtimeSessionConfig;
  try {
    session = JSON.parse(JSON.stringify(mergeSession(DEFAULT_SESSION as Record<string, unknown>, options.session))) as RealtimeSessionConfig;
  } catch {
    throw invalid('"session": it must be plain JSON data');
  }
  if (provider.model !== undefined) {
    if (options.session?.model !== undefined && options.session.model !== provider.model) {
      throw invalid('"session.model": on Azure the model is the deployment name; leave it out or set it to azure.deployment');
    }
    session.model = provider.model;
  }
  const serverTools = options.controller?.toolDeclarations ?? [];
  if (serverTools.length > 0) {
    const own = Array.isArray(session.tools) ? session.tools : [];
    const names = new Set(own.map((t) => (t as { name?: unknown }).name));
    const clash = serverTools.find((t) => names.has(t.name));
    if (clash !== undefined) throw invalid(`"session.tools": "${clash.name}" is also a server tool of the controller`);
    session.tools = [...own, ...serverTools.map((t) => ({ ...t }))];
    // Pinned explicitly (it is the default), so a page cannot turn the server tools off with "none".
    session.tool_choice ??= 'auto';
  }
  const problem = options.controller?.checkSession(session);
  if (problem !== undefined) throw invalid(`"controller": ${problem}`);
  return session;
}

/** The shared modules throw the token endpoint's error; at creation it becomes ours, naming our factory. */
function asCallError(error: unknown): unknown {
  if (!isTokenHandlerError(error) || (error.code !== 'invalid_options' && error.code !== 'missing_api_key')) return error;
  return new CallHandlerError(error.code, error.message.replaceAll('createTokenHandler', FACTORY));
}

/**
 * Validates options and fills in defaults.
 *
 * @throws CallHandlerError `invalid_options` naming the bad option, or `missing_api_key`.
 */
export function resolveCallOptions(options: CallHandlerOptions = {}): ResolvedCallOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0] as IssueLike | undefined;
    const issue = first === undefined ? { path: [], message: 'invalid' } : deepestIssue(first);
    throw invalid(`"${issue.path.map(String).join('.') || 'options'}": ${issue.message}`);
  }
  let provider: UpstreamProvider;
  try {
    provider = resolveProvider({ apiKey: options.apiKey, upstream: options.upstream, azure: options.azure }, FACTORY);
    validateAllowedHosts(options.allowedHosts, FACTORY);
  } catch (error) {
    throw asCallError(error);
  }
  if (!provider.local && options.authorize === undefined && options.public !== true) {
    throw new CallHandlerError(
      'invalid_options',
      `Invalid ${FACTORY} options: nothing decides who may start calls, so anyone who can reach this endpoint could start ` +
        'calls billed to your account. Pass authorize: (request) => … (your login check), or public: true for a deliberately open endpoint.',
    );
  }
  if (options.maxConcurrentCallsPerUser !== undefined && options.controller === undefined) {
    throw invalid('"maxConcurrentCallsPerUser": it needs a controller, which knows when each call ends');
  }
  const rateLimit = options.rateLimit;
  const sharedLimits = rateLimit !== false && rateLimit?.store !== undefined && !(rateLimit.store instanceof MemoryRateLimitStore);
  if (options.maxConcurrentCallsPerUser !== undefined && options.callSlots === undefined && sharedLimits) {
    throw invalid('"callSlots": your rate limits use a shared store, so share the call slots too (e.g. new RedisCallSlotStore({ client }))');
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
  if (fetchImpl === undefined) throw invalid('"fetch": no global fetch in this runtime');
  const session = pinnedSession(options, provider);
  return {
    provider,
    endpoints: callEndpoints(provider),
    session,
    model: typeof session.model === 'string' ? session.model : 'gpt-realtime',
    controller: options.controller,
    allowedOrigins: options.allowedOrigins,
    allowedHosts: options.allowedHosts,
    cors: options.cors ?? {},
    authorize: options.authorize,
    safetySecret: options.safetyIdentifier === false ? undefined : options.safetyIdentifier?.secret,
    rateLimit,
    clientIp: { trustProxy: options.trustProxy, clientIpHeader: options.clientIpHeader?.toLowerCase() },
    maxCalls: options.maxConcurrentCallsPerUser,
    callSlots: options.callSlots ?? new MemoryCallSlotStore(),
    slotTtlMs: (options.callSlotTtlSeconds ?? 120) * 1000,
    limitCooldownMs: (options.limitCooldownS ?? 15) * 1000,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxOfferBytes: options.maxOfferBytes ?? 65_536,
    logger: options.logger,
    onCall: options.onCall,
    onReject: options.onReject,
    fetch: options.fetch ?? ((input, init) => fetchImpl(input, init)),
  };
}

export { asCallError };
