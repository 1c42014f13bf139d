import type { MicrophoneOptions } from './audio/microphone.js';
import { RtvoiceError } from './errors.js';
import { checkShape } from './protocol/shape.js';
import type { LogLevel, Logger } from './logger.js';
import type { SessionConfig } from './protocol/client-events.js';
import type { ModelPrices } from './session/usage.js';
import { OPENAI_CALLS_URL, type TokenProvider } from './token/token-source.js';
import type { ToolDefinition } from './tools/types.js';
import type { TransportFactory } from './transport/transport.js';

/** How rtvoice asks your token endpoint for a key. */
export interface TokenRequestOptions {
  /** JSON body of the POST: the session overrides your server allows, if any. Default `{}`. */
  body?: Record<string, unknown>;
  /** Extra request headers (for example `Authorization` for your own user session). */
  headers?: Record<string, string>;
  /** `fetch` credentials mode. Default `'same-origin'`; use `'include'` for cookie auth against another origin. */
  credentials?: RequestCredentials;
}

/** Automatic reconnection after a network drop. */
export interface ReconnectOptions {
  /** Attempts before giving up with `reconnect_failed`. Default 3. */
  maxAttempts?: number;
  /** Wait before attempt n: a number is the first wait, doubled each attempt (capped at 10 s); or a function of the attempt (1-based). Default 500. */
  backoffMs?: number | ((attempt: number) => number);
}

/** What to do about a slow tool. */
export interface ToolAckOptions {
  /** When a tool has not answered after this long, the model tells the user it is working on it. Default 1500 ms. */
  afterMs?: number;
  /** What the model is told to say meanwhile. */
  instructions?: string;
}

/** A spending limit for one session. */
export interface BudgetOptions {
  /** Limit in US dollars, computed from the reported token usage and the price table. */
  maxUsd: number;
  /** `'warn'` emits a `budget_exceeded` error; `'disconnect'` also ends the session. Default `'warn'`. */
  onExceeded?: 'warn' | 'disconnect';
}

/**
 * Options of {@link VoiceSession}. Give exactly one of `tokenUrl`, `getToken` and `callUrl`.
 */
export interface VoiceSessionOptions {
  /** Your token endpoint (for example `@rtvoice/server` at `/api/token`). rtvoice POSTs `tokenRequest.body` to it as JSON. */
  tokenUrl?: string;
  /** Body, headers and credentials mode of the token request. */
  tokenRequest?: TokenRequestOptions;
  /** Supplies the ephemeral key yourself instead of `tokenUrl`. Called once per connection (and per reconnection). */
  getToken?: TokenProvider;
  /**
   * Your call endpoint (`@rtvoice/server`'s `createCallHandler`), instead of a token: rtvoice POSTs
   * the SDP offer there with `tokenRequest.headers` and `credentials`, and your server connects the
   * call with the real key, pins the session and can run server-side tools. No key reaches the page.
   * Calls the model makes to tools the page did not declare are left to the server. WebRTC only.
   */
  callUrl?: string;
  /** The Realtime calls URL when the token does not carry one. Default: OpenAI's GA `/v1/realtime/calls`. Must be `https:` (or `http:` on loopback). */
  callsUrl?: string;
  /** Sent as `session.update` as soon as the connection opens (with `tools`). Prefer pinning the session on the server. */
  session?: SessionConfig;
  /** Tools the model may call; each `execute` runs in the page. Sent in the `session.update` at connect. */
  tools?: ToolDefinition[];
  /** Spoken acknowledgement for slow tools, or `false` for none. */
  toolAck?: ToolAckOptions | false;
  /** A tool that has not finished after this long is abandoned: its `signal` aborts and the model is told. Default 30000 ms. */
  toolTimeoutMs?: number;
  /** Microphone settings (echo cancellation, noise suppression and auto gain are on by default). */
  audio?: MicrophoneOptions;
  /** Use this stream's audio track instead of opening the mic. It stays yours: rtvoice never stops it. */
  mediaStream?: MediaStream;
  /** Play the model's voice through this element (it stays yours). Default: a detached element rtvoice creates and removes. */
  audioElement?: HTMLAudioElement;
  /** Start in push-to-talk mode: turn detection off, mic silent except between `startTalking()` and `stopTalking()`. */
  pushToTalk?: boolean;
  /** Reconnect automatically after a network drop (on by default), or `false`. */
  reconnect?: ReconnectOptions | false;
  /** Prices per 1M tokens by model name, merged over the built-in table (PROTOCOL §8). */
  prices?: Record<string, ModelPrices>;
  /** A spending limit. */
  budget?: BudgetOptions;
  /** Upper bound for `connect()`, from the call to the server's `session.created`. Default 15000 ms. */
  connectTimeoutMs?: number;
  /** A connection opened by `prepare({ connect: true })` and not used is closed after this long. Default 60000 ms. */
  preparedIdleMs?: number;
  /** Creates the transport for each connection. Default: WebRTC. Tests pass a fake from `@rtvoice/client/testing`. */
  transport?: TransportFactory;
  /** The `fetch` used for the token and SDP requests. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** How much rtvoice logs. Default `'warn'`. Logs never contain keys, SDP or audio. */
  logLevel?: LogLevel;
  /** Where logs go. Default: `console`. */
  logger?: Logger;
}

/** The options with defaults applied. */
export type ResolvedOptions = Omit<
  Required<VoiceSessionOptions>,
  'tokenUrl' | 'getToken' | 'callUrl' | 'session' | 'mediaStream' | 'audioElement' | 'transport' | 'fetch' | 'logger' | 'budget' | 'toolAck' | 'reconnect'
> &
  Pick<VoiceSessionOptions, 'tokenUrl' | 'getToken' | 'callUrl' | 'session' | 'mediaStream' | 'audioElement' | 'transport' | 'fetch' | 'logger' | 'budget'> & {
    toolAck: Required<ToolAckOptions> | false;
    reconnect: { maxAttempts: number; backoffMs: (attempt: number) => number } | false;
  };

const ACK = 'A tool you called is still running. In one short sentence, tell the user you are working on it. Do not call any tool.';

/** The type letter of each option (see `checkShape`); `false` is also accepted for `toolAck` and `reconnect`. */
const TYPE: Record<string, string> = {
  tokenUrl: 's',
  tokenRequest: 'o',
  getToken: 'f',
  callUrl: 's',
  callsUrl: 's',
  session: 'o',
  tools: 'a',
  toolAck: 'o',
  toolTimeoutMs: 'p',
  audio: 'o',
  mediaStream: 'o',
  audioElement: 'o',
  pushToTalk: 'b',
  reconnect: 'o',
  prices: 'o',
  budget: 'o',
  connectTimeoutMs: 'p',
  preparedIdleMs: 'p',
  transport: 'f',
  fetch: 'f',
  logLevel: 's',
  logger: 'o',
};

const DEFAULTS = {
  tokenRequest: {},
  callsUrl: OPENAI_CALLS_URL,
  tools: [],
  toolTimeoutMs: 30_000,
  audio: {},
  pushToTalk: false,
  prices: {},
  connectTimeoutMs: 15_000,
  preparedIdleMs: 60_000,
  logLevel: 'warn',
};

const invalid = (path: string, why = 'wrong type or value') => new RtvoiceError('invalid_options', `Invalid option '${path}': ${why}.`);

/**
 * Validates options once, before any side effect, and applies defaults.
 * Throws `invalid_options` naming the offending option.
 */
export function resolveOptions(options: VoiceSessionOptions = {}): ResolvedOptions {
  const o = { ...DEFAULTS } as unknown as ResolvedOptions & Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!TYPE[key]) throw invalid(key, 'unknown option');
    if (!(value === false && (key === 'toolAck' || key === 'reconnect')) && checkShape({ value }, { value: TYPE[key] })) throw invalid(key);
    o[key] = value;
  }
  if (o.budget && checkShape(o.budget, { maxUsd: 'p' })) throw invalid('budget.maxUsd');
  if (!['silent', 'error', 'warn', 'info', 'debug'].includes(o.logLevel)) throw invalid('logLevel');
  if ([o.tokenUrl, o.getToken, o.callUrl].filter((x) => x !== undefined).length !== 1) throw invalid('tokenUrl', 'give one of tokenUrl, getToken, callUrl');
  const names = new Set<string>();
  for (const [i, tool] of o.tools.entries()) {
    if (checkShape(tool, { name: 's', execute: 'f' }) || !tool.name || names.has(tool.name)) throw invalid(`tools.${i}`, 'needs a unique name and an execute function');
    names.add(tool.name);
  }
  const ack = options.toolAck;
  const rc = options.reconnect;
  const backoff = rc ? rc.backoffMs : undefined;
  o.toolAck = ack !== false && { afterMs: ack?.afterMs ?? 1500, instructions: ack?.instructions ?? ACK };
  o.reconnect = rc !== false && {
    maxAttempts: rc?.maxAttempts ?? 3,
    backoffMs: typeof backoff === 'function' ? backoff : (n) => Math.min((backoff ?? 500) * 2 ** (n - 1), 10_000),
  };
  return o;
}
