/**
 * Public options of {@link createTokenHandler}, their defaults, and their validation into the
 * fully-resolved internal form. Everything here runs once, at `createTokenHandler` time.
 */
import { z } from 'zod';
import type { ClientIpOptions } from './client-ip.js';
import type { AllowedOrigins, CorsOptions } from './cors.js';
import { TokenHandlerError } from './errors.js';
import { deepestIssue, type IssueLike } from './issue-path.js';
import type { AuthorizeHook } from './identity.js';
import type { TokenLoggerOption } from './logger.js';
import { CLIENT_OVERRIDE_KEYS, type ClientOverrideKey } from './overrides.js';
import type { RateLimitOptions } from './rate-limit/limiter.js';
import { betaKeyHint, DEFAULT_SESSION, mergeSession, type RealtimeSessionConfig } from './session.js';

/** The OpenAI API base URL, the default `upstream`. */
export const OPENAI_UPSTREAM = 'https://api.openai.com/v1';

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
   * Required for the OpenAI upstream; optional for a local simulator.
   */
  apiKey?: string;
  /** Base URL of the Realtime API. Default `https://api.openai.com/v1`; point it at the sim for local work. */
  upstream?: string;
  /** Absolute URL the browser POSTs its SDP offer to. Default `${upstream}/realtime/calls`. */
  callsUrl?: string;
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
  /** Your login check; return `{ userId }`, `true` (anonymous) or `false` (401). Default: everyone may mint. */
  authorize?: AuthorizeHook;
  /**
   * Send `OpenAI-Safety-Identifier: sha256(salt:userId)` upstream when `authorize` returned a
   * user. Default `{ salt: "rtvoice" }`; set your own secret salt; `false` to send nothing.
   */
  safetyIdentifier?: { salt?: string } | false;
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
  /** Bearer key for the upstream, or undefined to send none. */
  apiKey: string | undefined;
  /** Override keys the browser may send. */
  allowClientOverrides: ReadonlySet<ClientOverrideKey>;
  /** Origin allowlist; undefined means same origin only. */
  allowedOrigins: AllowedOrigins | undefined;
  /** CORS details. */
  cors: CorsOptions;
  /** Login hook, if any. */
  authorize: AuthorizeHook | undefined;
  /** Salt for `OpenAI-Safety-Identifier`; undefined means do not send it. */
  safetySalt: string | undefined;
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
  safetyIdentifier: z.union([z.literal(false), z.object({ salt: z.string().optional() })]).optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.object({
        perIp: rule.optional(),
        perUser: rule.optional(),
        store: z.custom<object>((v) => typeof (v as { take?: unknown } | null)?.take === 'function', 'must have a take() method').optional(),
        failOpen: z.boolean().optional(),
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

/** Reads an environment variable without assuming `process` exists (edge runtimes). */
function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isOpenAi(upstream: string): boolean {
  return new URL(upstream).hostname === 'api.openai.com';
}

/**
 * Validates options and fills in defaults.
 *
 * @throws TokenHandlerError `invalid_options` naming the bad option, or `missing_api_key` when
 *   the upstream is OpenAI and no key was given.
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
  const upstream = (options.upstream ?? OPENAI_UPSTREAM).replace(/\/+$/, '');
  const openAi = isOpenAi(upstream);
  const explicitKey = options.apiKey !== undefined && options.apiKey.length > 0 ? options.apiKey : undefined;
  const apiKey = explicitKey ?? (openAi ? readEnv('OPENAI_API_KEY') : undefined);
  if (openAi && apiKey === undefined) {
    throw new TokenHandlerError(
      'missing_api_key',
      'No OpenAI API key: set the OPENAI_API_KEY environment variable or pass createTokenHandler({ apiKey }). ' +
        'For a local simulator, pass createTokenHandler({ upstream: "http://127.0.0.1:<port>/v1" }) instead.',
    );
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
  if (fetchImpl === undefined) {
    throw new TokenHandlerError('invalid_options', 'No global fetch in this runtime: pass createTokenHandler({ fetch }).');
  }
  return {
    apiKey,
    allowClientOverrides: new Set(options.allowClientOverrides ?? []),
    allowedOrigins: options.allowedOrigins,
    cors: options.cors ?? {},
    authorize: options.authorize,
    safetySalt: options.safetyIdentifier === false ? undefined : (options.safetyIdentifier?.salt ?? 'rtvoice'),
    rateLimit: options.rateLimit,
    clientIp: { trustProxy: options.trustProxy, clientIpHeader: options.clientIpHeader?.toLowerCase() },
    clientSecretsUrl: `${upstream}/realtime/client_secrets`,
    callsUrl: options.callsUrl ?? `${upstream}/realtime/calls`,
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
