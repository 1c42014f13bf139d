import * as z from 'zod/mini';
import type { MicrophoneOptions } from './audio/microphone.js';
import { RtvoiceError } from './errors.js';
import type { LogLevel, Logger } from './logger.js';
import type { SessionConfig } from './protocol/client-events.js';
import { OPENAI_CALLS_URL, type TokenProvider } from './token/token-source.js';
import type { TransportFactory } from './transport/transport.js';

/**
 * Options of {@link VoiceSession}. Give exactly one of `tokenUrl` and `getToken`.
 */
export interface VoiceSessionOptions {
  /** Your token endpoint (for example `@rtvoice/server` at `/api/token`). rtvoice POSTs `tokenRequestBody` to it as JSON. */
  tokenUrl?: string;
  /** The JSON body POSTed to `tokenUrl`: the session overrides your server allows, if any. Default `{}`. */
  tokenRequestBody?: Record<string, unknown>;
  /** Supplies the ephemeral key yourself instead of `tokenUrl`. Called once per `connect()`. */
  getToken?: TokenProvider;
  /** The Realtime calls URL when the token does not carry one. Default: OpenAI's GA `/v1/realtime/calls`. */
  callsUrl?: string;
  /** Sent as `session.update` as soon as the connection opens. Prefer pinning the session on the server. */
  session?: SessionConfig;
  /** Microphone capture settings (ignored when `mediaStream` is given). */
  audio?: MicrophoneOptions;
  /** Use this stream's audio track instead of opening the microphone. It stays yours: `disconnect()` does not stop it. */
  mediaStream?: MediaStream;
  /** Play the model's voice through this element (it stays yours). Default: a detached element rtvoice creates and removes. */
  audioElement?: HTMLAudioElement;
  /** Upper bound for `connect()`, from the call to the server's `session.created`. Default 15000 ms. */
  connectTimeoutMs?: number;
  /** Creates the transport for each connection. Default: WebRTC. Tests pass a fake from `@rtvoice/client/testing`. */
  transport?: TransportFactory;
  /** The `fetch` used for the token and SDP requests. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** How much rtvoice logs. Default `'silent'`. Logs never contain keys, SDP or audio. */
  logLevel?: LogLevel;
  /** Where logs go. Default: `console`. */
  logger?: Logger;
}

/** The options with defaults applied. */
export interface ResolvedOptions {
  tokenUrl: string | undefined;
  tokenRequestBody: Record<string, unknown>;
  getToken: TokenProvider | undefined;
  callsUrl: string;
  session: SessionConfig | undefined;
  audio: MicrophoneOptions;
  mediaStream: MediaStream | undefined;
  audioElement: HTMLAudioElement | undefined;
  connectTimeoutMs: number;
  transport: TransportFactory | undefined;
  fetch: typeof fetch | undefined;
  logLevel: LogLevel;
  logger: Logger | undefined;
}

const DEFAULTS = Object.freeze({ connectTimeoutMs: 15_000, logLevel: 'silent' as LogLevel, callsUrl: OPENAI_CALLS_URL });

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function');
const obj = z.custom<object>((v) => typeof v === 'object' && v !== null);

const schema = z.object({
  tokenUrl: z.optional(z.string().check(z.minLength(1))),
  tokenRequestBody: z.optional(z.record(z.string(), z.unknown())),
  getToken: z.optional(fn),
  callsUrl: z.optional(z.string().check(z.minLength(1))),
  session: z.optional(z.record(z.string(), z.unknown())),
  audio: z.optional(
    z.object({
      deviceId: z.optional(z.string()),
      echoCancellation: z.optional(z.boolean()),
      noiseSuppression: z.optional(z.boolean()),
      autoGainControl: z.optional(z.boolean()),
    }),
  ),
  mediaStream: z.optional(obj),
  audioElement: z.optional(obj),
  connectTimeoutMs: z.optional(z.number().check(z.positive())),
  transport: z.optional(fn),
  fetch: z.optional(fn),
  logLevel: z.optional(z.enum(['silent', 'error', 'warn', 'info', 'debug'])),
  logger: z.optional(obj),
});

/**
 * Validates options once, before any side effect, and applies defaults.
 * Throws `invalid_options` naming the offending option.
 */
export function resolveOptions(options: VoiceSessionOptions): ResolvedOptions {
  const parsed = z.safeParse(schema, options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || 'options';
    throw new RtvoiceError('invalid_options', `Invalid option '${path}' (${issue?.code ?? 'invalid'}).`);
  }
  const o = options;
  if ((o.tokenUrl === undefined) === (o.getToken === undefined)) {
    throw new RtvoiceError('invalid_options', 'Give exactly one of `tokenUrl` and `getToken`.');
  }
  return {
    tokenUrl: o.tokenUrl,
    tokenRequestBody: o.tokenRequestBody ?? {},
    getToken: o.getToken,
    callsUrl: o.callsUrl ?? DEFAULTS.callsUrl,
    session: o.session,
    audio: o.audio ?? {},
    mediaStream: o.mediaStream,
    audioElement: o.audioElement,
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    transport: o.transport,
    fetch: o.fetch,
    logLevel: o.logLevel ?? DEFAULTS.logLevel,
    logger: o.logger,
  };
}
