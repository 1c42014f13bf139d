/**
 * Public options of {@link createTokenHandler}, their defaults, and their validation into the
 * fully-resolved internal form. Everything here runs once, at `createTokenHandler` time.
 */
import { z } from 'zod';
import type { ClientIpOptions } from './client-ip.js';
import type { AllowedOrigins, CorsOptions } from './cors.js';
import { TokenHandlerError } from './errors.js';
import { validateAllowedHosts, type AllowedHosts } from './hosts.js';
import { deepestIssue, type IssueLike } from './issue-path.js';
import type { AuthorizeHook } from './identity.js';
import type { TokenLoggerOption } from './logger.js';
import { CLIENT_OVERRIDE_KEYS, type ClientOverrideKey } from './overrides.js';
import { OPENAI_UPSTREAM, resolveProvider, type AzureOptions, type UpstreamProvider } from './provider.js';
import type { RateLimitOptions } from './rate-limit/limiter.js';
import { betaKeyHint, DEFAULT_SESSION, mergeSession, type RealtimeSessionConfig } from './session.js';

export { OPENAI_UPSTREAM };

/** Facts about one successful mint, given to `onMint` (count mints and attribute cost per user). */
export interface MintEvent {
  /** The user id returned by `authorize` (not hashed), or undefined for anonymous mints. */
  userId: string | undefined;
  /** Client IP as resolved (see `trustProxy`), or `"unknown"`. */
  ip: string;
  /** Model of the minted session. */
  model: string | undefined;
  /** Unix seconds at which the key expires. */
  expiresAt: number;
  /** Request `Origin`, when present. */
  origin: string | undefined;
}

/** Facts about one refused or failed request, given to `onReject`. */
export interface RejectEvent {
  /** The error code sent to the browser. */
  code: string;
  /** The HTTP status sent to the browser. */
  status: number;
  /** The user id returned by `authorize`, when it ran and returned one. */
  userId: string | undefined;
  /** Client IP as resolved, or `"unknown"`. */
  ip: string;
  /** Request `Origin`, when present. */
  origin: string | undefined;
}

/** Options of {@link createTokenHandler}. Every field is optional. */
export interface TokenHandlerOptions extends ClientIpOptions {
  /**
   * The real provider API key; it never leaves the server. Default: `process.env.OPENAI_API_KEY`,
   * read only when `upstream` is OpenAI, so the key is never sent to another host by accident.
   * Required for the OpenAI upstream; optional for a local simulator. With `azure`, the default
   * is `process.env.AZURE_OPENAI_API_KEY`, sent as the `api-key` header.
   */
  apiKey?: string;
  /**
   * Base URL of the Realtime API. Default `https://api.openai.com/v1`; point it at the sim for
   * local work. Must be `https:` (`http:` only on a loopback host).
   */
  upstream?: string;
  /** Absolute URL the browser POSTs its SDP offer to. Default `${upstream}/realtime/calls`. `https:` (or loopback `http:`). */
  callsUrl?: string;
  /** Mint from Azure OpenAI instead (`{ endpoint, deployment }`); exclusive with `upstream`. */
  azure?: AzureOptions;
  /**
   * Set `true` to let anyone who can reach the endpoint mint, with no `authorize` hook, from a
   * real (non-loopback) upstream: only the origin check and the rate limits stand between the
   * internet and your bill. Without `authorize` or `public: true`, such a handler is refused at
   * creation. Not needed for a loopback upstream (the simulator).
   */
  public?: boolean;
  /** Host names the endpoint answers for (against DNS rebinding). See {@link AllowedHosts}. */
  allowedHosts?: AllowedHosts;
  /**
   * The server-pinned session, deep-merged over `{ type: "realtime", model: "gpt-realtime",
   * audio: { output: { voice: "marin" } } }`. Model, instructions, voice, tools and turn
   * detection are decided here, not by the browser.
   */
  session?: RealtimeSessionConfig;
  /**
   * Session fields the browser may choose, by flat name (`voice`, `speed`, `instructions`,
   * `turn_detection`, `noise_reduction`, `transcription`, `output_modalities`,
   * `max_output_tokens`). Default none: any non-empty body is refused with 400.
   */
  allowClientOverrides?: readonly ClientOverrideKey[];
  /** Which browser origins may mint. Default: same origin only. See {@link AllowedOrigins}. */
  allowedOrigins?: AllowedOrigins;
  /** CORS details for cross-origin deployments. */
  cors?: CorsOptions;
  /**
   * Your login check; return `{ userId }`, `true` (anonymous) or `false` (401). Required with a
   * real (non-loopback) upstream unless `public: true`; without either only a local simulator
   * can be used.
   */
  authorize?: AuthorizeHook;
  /**
   * Send `OpenAI-Safety-Identifier: HMAC-SHA256(secret, userId)` (hex) upstream when
   * `authorize` returned a user. `secret` is required (at least 16 characters; keep it out of
   * the code). Default: nothing is sent.
   */
  safetyIdentifier?: { secret?: string; /** @deprecated Use `secret` (same meaning, now an HMAC key). */ salt?: string } | false;
  /** Token-bucket limits per IP and per user; default on, in memory. `false` turns them off. */
  rateLimit?: RateLimitOptions | false;
  /** Lifetime of each ephemeral key in seconds, 10–7200. Default 60. */
  ttlSeconds?: number;
  /** Give up on the upstream after this many milliseconds (→ 504 `upstream_timeout`). Default 10000. */
  timeoutMs?: number;
  /** Largest accepted request body in bytes (→ 413 `body_too_large`). Default 16384. */
  maxBodyBytes?: number;
  /** Structured logging: `"silent"` (default), `"json"` or a function receiving each entry. */
  logger?: TokenLoggerOption;
  /** Called after each successful mint, before the response is sent; errors it throws are ignored. */
  onMint?: (event: MintEvent) => void | Promise<void>;
  /** Called for each refused or failed request (4xx/5xx), before the response is sent; errors it throws are ignored. */
  onReject?: (event: RejectEvent) => void | Promise<void>;
  /** The `fetch` used to call the upstream. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** Options after defaults and validation (internal; see {@link TokenHandlerOptions} for meanings). */
export interface ResolvedOptions {
  /** The provider: URLs, key, authentication headers, pinned model, whether it is local. */
  provider: UpstreamProvider;
  /** The real key for the upstream, or undefined to send none (also `provider.apiKey`). */
  apiKey: string | undefined;
  /** Override keys the browser may send. */
  allowClientOverrides: ReadonlySet<ClientOverrideKey>;
  /** Origin allowlist; undefined means same origin only. */
  allowedOrigins: AllowedOrigins | undefined;
  /** CORS details. */
  cors: CorsOptions;
  /** Login hook, if any. */
  authorize: AuthorizeHook | undefined;
  /** Whether minting without `authorize` was explicitly allowed. */
  public: boolean;
  /** The `allowedHosts` option as given. */
  allowedHosts: AllowedHosts | undefined;
  /** HMAC key for `OpenAI-Safety-Identifier`; undefined means do not send it. */
  safetySecret: string | undefined;
  /** The `rateLimit` option as given. */
  rateLimit: RateLimitOptions | false | undefined;
  /** How to find the client IP. */
  clientIp: ClientIpOptions;
  /** Full `…/realtime/client_secrets` URL. */
  clientSecretsUrl: string;
  /** Full calls URL handed to the browser. */
  callsUrl: string;
  /** The pinned session (defaults merged with `session`). */
  session: RealtimeSessionConfig;
  /** Key lifetime in seconds. */
  ttlSeconds: number;
  /** Upstream timeout in milliseconds. */
  timeoutMs: number;
  /** Request body limit in bytes. */
  maxBodyBytes: number;
  /** Logger option as given. */
  logger: TokenLoggerOption | undefined;
  /** Mint hook. */
  onMint: TokenHandlerOptions['onMint'];
  /** Refusal hook. */
  onReject: TokenHandlerOptions['onReject'];
  /** The fetch used for the upstream. */
  fetch: typeof fetch;
}

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

const rule = z.union([
  z.literal(false),
  z.object({ burst: z.number().int().min(1).max(1_000_000), perMinute: z.number().positive().max(1_000_000) }),
]);

const optionsSchema = z.object({
  apiKey: z.string().optional(),
  allowClientOverrides: z.array(z.enum(CLIENT_OVERRIDE_KEYS as [ClientOverrideKey, ...ClientOverrideKey[]])).optional(),
  allowedOrigins: z.union([z.literal('*'), z.array(z.string()), z.function()]).optional(),
  cors: z
    .object({
      allowHeaders: z.array(z.string().regex(/^[A-Za-z0-9-]+$/)).optional(),
      credentials: z.boolean().optional(),
      maxAgeSeconds: z.number().int().min(0).max(86_400).optional(),
    })
    .optional(),
  authorize: z.function().optional(),
  public: z.boolean().optional(),
  allowedHosts: z.union([z.literal('*'), z.array(z.string())]).optional(),
  azure: z.object({ endpoint: z.string(), deployment: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a deployment name') }).optional(),
  safetyIdentifier: z
    .union([
      z.literal(false),
      z.object({
        secret: z.string().min(16, 'must be a secret of at least 16 characters').optional(),
        salt: z.string().min(16, 'must be a secret of at least 16 characters (and is deprecated: use secret)').optional(),
      }),
    ])
    .optional(),
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
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(16)]).optional(),
  clientIpHeader: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
  onReject: z.function().optional(),
  upstream: httpUrl.optional(),
  callsUrl: httpUrl.optional(),
  session: z.record(z.string(), z.unknown()).optional(),
  ttlSeconds: z.number().int().min(10).max(7200).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  maxBodyBytes: z.number().int().min(2).max(10_000_000).optional(),
  logger: z.union([z.literal('silent'), z.literal('json'), z.function()]).optional(),
  onMint: z.function().optional(),
  fetch: z.function().optional(),
});

/** Every option name `createTokenHandler` accepts (kept in step with the README by a test). */
export const OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(optionsSchema.shape));

/**
 * The HMAC key for `OpenAI-Safety-Identifier` from the `safetyIdentifier` option (already
 * schema-checked: at least 16 characters), or undefined to send none. Throws `invalid_options`
 * for an object without a secret.
 */
export function resolveSafetySecret(option: TokenHandlerOptions['safetyIdentifier'], factory = 'createTokenHandler'): string | undefined {
  if (option === undefined || option === false) return undefined;
  const secret = option.secret ?? option.salt;
  if (secret === undefined) {
    throw new TokenHandlerError(
      'invalid_options',
      `Invalid ${factory} option "safetyIdentifier": pass { secret } ` +
        '(at least 16 random characters, kept secret), ' +
        'or leave it out to send no OpenAI-Safety-Identifier.',
    );
  }
  return secret;
}

/** The pinned model with Azure: the deployment name; a different `session.model` is a mistake. */
function pinModel(session: RealtimeSessionConfig, provider: UpstreamProvider, given: RealtimeSessionConfig | undefined): void {
  if (provider.model === undefined) return;
  if (given?.model !== undefined && given.model !== provider.model) {
    throw new TokenHandlerError(
      'invalid_options',
      'Invalid createTokenHandler option "session.model": on Azure the model is the deployment name; ' +
        'leave session.model out or set it to azure.deployment.',
    );
  }
  session.model = provider.model;
}

/**
 * A real (non-loopback) upstream needs a login check or an explicit opt-in to public minting.
 * Throws `invalid_options` saying how to fix it.
 */
export function requireAuthorizeOrPublic(
  provider: Pick<UpstreamProvider, 'kind' | 'baseUrl' | 'local'>,
  options: { authorize?: unknown; public?: boolean },
  factory = 'createTokenHandler',
): void {
  if (provider.local || options.authorize !== undefined || options.public === true) return;
  const where = provider.kind === 'openai' ? 'OpenAI' : provider.kind === 'azure' ? 'Azure OpenAI' : new URL(provider.baseUrl).host;
  throw new TokenHandlerError(
    'invalid_options',
    `Invalid ${factory} options: nothing decides who may mint keys from ${where}, so anyone who can reach this ` +
      'endpoint could start sessions billed to your account. Pass authorize: (request) => … (your login check: return ' +
      '{ userId }, true or false), or public: true for a deliberately open endpoint guarded only by the origin check and ' +
      'rate limits.',
  );
}

/**
 * Validates options and fills in defaults.
 *
 * @throws TokenHandlerError `invalid_options` naming the bad option (or the missing
 *   `authorize`/`public` decision for a real upstream), or `missing_api_key` when the upstream
 *   is OpenAI or Azure and no key was given.
 */
export function resolveOptions(options: TokenHandlerOptions = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0] as IssueLike | undefined;
    const issue = first === undefined ? { path: [], message: 'invalid' } : deepestIssue(first);
    const path = issue.path.map(String).join('.') || 'options';
    throw new TokenHandlerError('invalid_options', `Invalid createTokenHandler option "${path}": ${issue.message}.`);
  }
  let session: RealtimeSessionConfig;
  try {
    session = JSON.parse(JSON.stringify(mergeSession(DEFAULT_SESSION as Record<string, unknown>, options.session))) as RealtimeSessionConfig;
  } catch {
    throw new TokenHandlerError('invalid_options', 'Invalid createTokenHandler option "session": it must be plain JSON data.');
  }
  const hint = betaKeyHint(options.session);
  if (hint !== undefined) throw new TokenHandlerError('invalid_options', `Invalid createTokenHandler option: ${hint}.`);
  const provider = resolveProvider(options);
  pinModel(session, provider, options.session);
  requireAuthorizeOrPublic(provider, options);
  validateAllowedHosts(options.allowedHosts);
  const safetySecret = resolveSafetySecret(options.safetyIdentifier);
  const fetchImpl = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
  if (fetchImpl === undefined) {
    throw new TokenHandlerError('invalid_options', 'No global fetch in this runtime: pass createTokenHandler({ fetch }).');
  }
  return {
    provider,
    apiKey: provider.apiKey,
    allowClientOverrides: new Set(options.allowClientOverrides ?? []),
    allowedOrigins: options.allowedOrigins,
    cors: options.cors ?? {},
    authorize: options.authorize,
    public: options.public === true,
    allowedHosts: options.allowedHosts,
    safetySecret,
    rateLimit: options.rateLimit,
    clientIp: { trustProxy: options.trustProxy, clientIpHeader: options.clientIpHeader?.toLowerCase() },
    clientSecretsUrl: provider.clientSecretsUrl,
    callsUrl: provider.callsUrl,
    session,
    ttlSeconds: options.ttlSeconds ?? 60,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBodyBytes: options.maxBodyBytes ?? 16_384,
    logger: options.logger,
    onMint: options.onMint,
    onReject: options.onReject,
    fetch: options.fetch ?? ((input, init) => fetchImpl(input, init)),
  };
}
