/**
 * Server-to-provider HTTP: one POST with a timeout, a capped response body and no retry once
 * the request may have been written; the mapping of provider error answers to safe
 * {@link TokenHandlerError}s (detail for the logs only); and the mint itself,
 * `POST {upstream}/realtime/client_secrets` (GA shape).
 */
import { z } from 'zod';
import { readCapped } from './body.js';
import { TokenHandlerError } from './errors.js';
import type { RealtimeSessionConfig } from './session.js';

/** A successful GA mint: `{ value, expires_at, session? }`. */
export interface ClientSecret {
  /** The ephemeral key, `ek_…`. */
  value: string;
  /** Unix seconds at which the key stops creating sessions. */
  expires_at: number;
  /** The effective session as the upstream stored it (OpenAI sends it; never forwarded to the browser). */
  session?: Record<string, unknown>;
}

/** Safe facts about an upstream failure, kept as the error's `cause` for the log line. */
export interface UpstreamFailureDetail {
  /** Upstream HTTP status, when it answered. */
  upstreamStatus?: number;
  /** Upstream `error.code` (OpenAI `invalid_api_key`, Azure `"401"`, `DeploymentNotFound`), when it is a plain token. */
  upstreamCode?: string;
  /** Upstream `error.type` (OpenAI only), when it is a plain token. */
  upstreamType?: string;
  /** Upstream `error.message`, shortened, with anything key-like removed. Logs only. */
  upstreamMessage?: string;
  /** Network error code, e.g. `ECONNREFUSED`, or `RESPONSE_TOO_LARGE` for a body over the cap. */
  causeCode?: string;
  /** Milliseconds spent on the upstream call. */
  upstreamMs: number;
}

/** One server-to-provider POST (see {@link postUpstream}). */
export interface UpstreamPost {
  /** Absolute URL. */
  url: string;
  /** Request headers, including the provider's authentication. */
  headers: Readonly<Record<string, string>>;
  /** Request body. */
  body: string | Uint8Array<ArrayBuffer>;
  /** Give up after this many milliseconds, body included (→ 504 `upstream_timeout`). */
  timeoutMs: number;
  /** Aborted when the browser goes away (→ 499 `client_closed_request`). */
  signal: AbortSignal | undefined;
  /** The fetch implementation. */
  fetch: typeof fetch;
  /** Largest response body read, in bytes (→ 502 `upstream_invalid_response`). Default {@link MAX_UPSTREAM_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
}

/** What the provider answered (any status: a non-2xx is for the caller to map with {@link upstreamStatusError}). */
export interface UpstreamAnswer {
  /** HTTP status (redirects are not followed: a 3xx is an answer too). */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The whole response body, at most `maxResponseBytes`, decoded as UTF-8. */
  text: string;
  /** Milliseconds from sending to the last byte. */
  upstreamMs: number;
}

/** Default cap on a provider's response body: 64 KiB. */
export const MAX_UPSTREAM_RESPONSE_BYTES = 65_536;

/** Everything needed for one mint. */
export interface MintRequest {
  /** Full client_secrets URL. */
  url: string;
  /** Bearer key, or undefined to send no Authorization header (sim). Ignored when `authHeaders` is given. */
  apiKey?: string | undefined;
  /** The provider's authentication headers (`authorization` or Azure's `api-key`); wins over `apiKey`. */
  authHeaders?: Readonly<Record<string, string>>;
  /** The session to pin. */
  session: RealtimeSessionConfig;
  /** Key lifetime in seconds (10–7200). */
  ttlSeconds: number;
  /** HMAC of the user id for `OpenAI-Safety-Identifier`, if any. */
  safetyIdentifier: string | undefined;
  /** Give up after this many milliseconds (→ 504). */
  timeoutMs: number;
  /** Aborted when the browser goes away. */
  signal: AbortSignal | undefined;
  /** The fetch implementation. */
  fetch: typeof fetch;
}

const clientSecretSchema = z.object({
  value: z.string().min(1),
  expires_at: z.number(),
  session: z.record(z.string(), z.unknown()).optional(),
});

const SAFE_TOKEN = /^[A-Za-z0-9_.-]{1,64}$/;
const SAFE_CAUSE = /^[A-Z0-9_]{1,64}$/;
/**
 * Network errors raised before any byte of the request can have been written (connection
 * refused, DNS not answering): the only failures retried, once. A reset after connecting is
 * never retried, because the provider may already have minted (or created a call).
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

/** A provider message for the logs: one line, at most 200 characters, nothing that looks like a key. */
function logSafeMessage(message: unknown): string | undefined {
  if (typeof message !== 'string' || message.length === 0) return undefined;
  const text = message
    .slice(0, 2_000)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\b(?:sk|ek|rk)[-_][A-Za-z0-9_*.-]{4,}/g, '[redacted]')
    .replace(/[A-Za-z0-9+/=_-]{32,}/g, '[redacted]')
    .trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text || undefined;
}

/**
 * Reads a provider error body defensively: OpenAI `{ error: { type, code, message, param } }`,
 * Azure `{ error: { code: "401", message } }` (string code, no type), an API gateway's flat
 * `{ statusCode, message }`, or anything else (→ `{}`). Only plain tokens are kept as code and
 * type; the message is shortened and stripped of key-like strings.
 */
export function parseProviderError(text: string): Pick<UpstreamFailureDetail, 'upstreamCode' | 'upstreamType' | 'upstreamMessage'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const outer = parsed as Record<string, unknown>;
  const inner = typeof outer.error === 'object' && outer.error !== null ? (outer.error as Record<string, unknown>) : outer;
  const rawCode = inner.code ?? outer.statusCode;
  const code = typeof rawCode === 'number' && Number.isFinite(rawCode) ? String(rawCode) : rawCode;
  const out: Pick<UpstreamFailureDetail, 'upstreamCode' | 'upstreamType' | 'upstreamMessage'> = {};
  if (typeof code === 'string' && SAFE_TOKEN.test(code)) out.upstreamCode = code;
  if (typeof inner.type === 'string' && SAFE_TOKEN.test(inner.type)) out.upstreamType = inner.type;
  const message = logSafeMessage(inner.message ?? outer.message);
  if (message !== undefined) out.upstreamMessage = message;
  return out;
}

function retryAfterOf(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null || !/^\d{1,6}$/.test(raw.trim())) return undefined;
  return Math.min(300, Math.max(1, Number(raw.trim())));
}

function causeCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code: unknown = (current as { code?: unknown }).code;
    if (typeof code === 'string' && SAFE_CAUSE.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a provider's non-2xx answer to what the browser may see: 429 and 503 → 503
 * `upstream_unavailable` (with the provider's `Retry-After`, 1–300 s), anything else (401,
 * 403, 400, 404, 5xx, a redirect) → 502 `upstream_error`. The browser learns nothing about the
 * server's credentials, quota or session configuration; the status, code, type and a cleaned
 * message are kept in the error's `cause` ({@link UpstreamFailureDetail}) for the log line.
 */
export function upstreamStatusError(answer: Pick<UpstreamAnswer, 'status' | 'headers' | 'text' | 'upstreamMs'>): TokenHandlerError {
  const detail: UpstreamFailureDetail = { upstreamMs: answer.upstreamMs, upstreamStatus: answer.status, ...parseProviderError(answer.text) };
  if (answer.status === 429 || answer.status === 503) {
    const retryAfter = retryAfterOf(answer.headers);
    return new TokenHandlerError('upstream_unavailable', 'The voice service is busy. Try again shortly.', {
      cause: detail,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  return new TokenHandlerError('upstream_error', 'The voice service is unavailable right now.', { cause: detail });
}

/**
 * Reads a response body as UTF-8 text, at most `maxBytes` (declared or streamed). Resolves
 * with `undefined`, the body cancelled, when it is longer.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string | undefined> {
  const bytes = await readCapped(response, maxBytes);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/**
 * One POST to the provider. Redirects are not followed; the whole exchange (connect, request,
 * response body) has one timeout; the response body is capped; the browser's abort cancels
 * it. Retried once only when the connection failed before the request could be written
 * (`ECONNREFUSED`, `EAI_AGAIN`): a POST that may have reached the provider is never sent
 * twice. Resolves with any status; throws a {@link TokenHandlerError}
 * (`client_closed_request`, `upstream_timeout`, `upstream_unreachable`, or
 * `upstream_invalid_response` for a body over the cap) whose `cause` is an
 * {@link UpstreamFailureDetail}. The timer is always cleared.
 */
export async function postUpstream(req: UpstreamPost): Promise<UpstreamAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), req.timeoutMs);
  const onBrowserAbort = () => timeout.abort();
  req.signal?.addEventListener('abort', onBrowserAbort, { once: true });
  const maxBytes = req.maxResponseBytes ?? MAX_UPSTREAM_RESPONSE_BYTES;
  try {
    let response: Response;
    let text: string | undefined;
    try {
      const send = () =>
        req.fetch(req.url, { method: 'POST', headers: { ...req.headers }, body: req.body, signal: timeout.signal, redirect: 'manual' });
      try {
        response = await send();
      } catch (error) {
        if (timeout.signal.aborted || !NOT_SENT.has(causeCodeOf(error) ?? '')) throw error;
        response = await send();
      }
      text = await readCappedText(response, maxBytes);
    } catch (error) {
      const detail: UpstreamFailureDetail = { upstreamMs: elapsed() };
      const causeCode = causeCodeOf(error);
      if (causeCode !== undefined) detail.causeCode = causeCode;
      if (req.signal?.aborted === true) {
        throw new TokenHandlerError('client_closed_request', 'The browser closed the request.', { cause: detail });
      }
      if (timeout.signal.aborted) {
        throw new TokenHandlerError('upstream_timeout', `The voice service did not answer within ${req.timeoutMs} ms.`, { cause: detail });
      }
      throw new TokenHandlerError('upstream_unreachable', 'The voice service could not be reached.', { cause: detail });
    }
    const upstreamMs = elapsed();
    if (text === undefined) {
      throw new TokenHandlerError('upstream_invalid_response', 'The voice service sent an unexpected response.', {
        cause: { upstreamMs, upstreamStatus: response.status, causeCode: 'RESPONSE_TOO_LARGE' } satisfies UpstreamFailureDetail,
      });
    }
    return { status: response.status, headers: response.headers, text, upstreamMs };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onBrowserAbort);
  }
}

/**
 * Mints one ephemeral key. Resolves with the parsed GA response, or throws a
 * {@link TokenHandlerError} whose message is safe for the browser and whose `cause` is an
 * {@link UpstreamFailureDetail}. The response body is capped at 64 KiB or twice the request
 * (the provider echoes the session), whichever is larger.
 */
export async function mintClientSecret(req: MintRequest): Promise<{ secret: ClientSecret; upstreamMs: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.authHeaders !== undefined) Object.assign(headers, req.authHeaders);
  else if (req.apiKey !== undefined) headers.authorization = `Bearer ${req.apiKey}`;
  if (req.safetyIdentifier !== undefined) headers['openai-safety-identifier'] = req.safetyIdentifier;
  const body = JSON.stringify({ expires_after: { anchor: 'created_at', seconds: req.ttlSeconds }, session: req.session });
  const answer = await postUpstream({
    url: req.url,
    headers,
    body,
    timeoutMs: req.timeoutMs,
    signal: req.signal,
    fetch: req.fetch,
    maxResponseBytes: Math.max(MAX_UPSTREAM_RESPONSE_BYTES, 2 * new TextEncoder().encode(body).byteLength),
  });
  if (answer.status < 200 || answer.status > 299) throw upstreamStatusError(answer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  const result = clientSecretSchema.safeParse(parsed);
  if (!result.success) {
    throw new TokenHandlerError('upstream_invalid_response', 'The voice service sent an unexpected response.', {
      cause: { upstreamMs: answer.upstreamMs, upstreamStatus: answer.status } satisfies UpstreamFailureDetail,
    });
  }
  const { value, expires_at, session } = result.data;
  return { secret: { value, expires_at, ...(session === undefined ? {} : { session }) }, upstreamMs: answer.upstreamMs };
}
