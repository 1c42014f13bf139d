/**
 * The one upstream call: `POST {upstream}/realtime/client_secrets` (GA shape), with a timeout,
 * and the mapping of every upstream failure to a safe {@link TokenHandlerError}.
 */
import { z } from 'zod';
import { TokenHandlerError } from './errors.js';
import type { RealtimeSessionConfig } from './session.js';

/** A successful GA mint: `{ value, expires_at, session }`. */
export interface ClientSecret {
  /** The ephemeral key, `ek_…`. */
  value: string;
  /** Unix seconds at which the key stops creating sessions. */
  expires_at: number;
  /** The effective session as the upstream stored it. */
  session: Record<string, unknown>;
}

/** Safe facts about an upstream failure, kept as the error's `cause` for the log line. */
export interface UpstreamFailureDetail {
  /** Upstream HTTP status, when it answered. */
  upstreamStatus?: number;
  /** Upstream `error.code`, when it is a plain snake_case token. */
  upstreamCode?: string;
  /** Network error code, e.g. `ECONNREFUSED`. */
  causeCode?: string;
  /** Milliseconds spent on the upstream call. */
  upstreamMs: number;
}

/** Everything needed for one mint. */
export interface MintRequest {
  /** Full client_secrets URL. */
  url: string;
  /** Bearer key, or undefined to send no Authorization header (sim). */
  apiKey: string | undefined;
  /** The session to pin. */
  session: RealtimeSessionConfig;
  /** Key lifetime in seconds (10–7200). */
  ttlSeconds: number;
  /** Hashed user id for `OpenAI-Safety-Identifier`, if any. */
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
  session: z.record(z.string(), z.unknown()),
});

const SAFE_CODE = /^[a-z0-9_.]{1,64}$/;
/** Network errors of a reused connection that the peer had already closed. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const SAFE_CAUSE = /^[A-Z0-9_]{1,64}$/;

function upstreamCodeOf(text: string): string | undefined {
  try {
    const code: unknown = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && SAFE_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterOf(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null || !/^\d{1,6}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
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

function statusError(status: number, detail: UpstreamFailureDetail, retryAfter: number | undefined): TokenHandlerError {
  if (status === 401) {
    return new TokenHandlerError('upstream_unauthorized', 'The voice provider rejected the server credentials.', { cause: detail });
  }
  if (status === 403) {
    return new TokenHandlerError('upstream_forbidden', 'The voice provider refused this request.', { cause: detail });
  }
  if (status === 429) {
    return new TokenHandlerError('upstream_rate_limited', 'The voice provider is rate limiting this server. Try again later.', {
      cause: detail,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  if (status >= 400 && status < 500) {
    return new TokenHandlerError('upstream_rejected', 'The voice provider rejected the session configuration.', { cause: detail });
  }
  return new TokenHandlerError('upstream_error', `The voice provider failed (HTTP ${status}).`, { cause: detail });
}

/**
 * Mints one ephemeral key. Resolves with the parsed GA response, or throws a
 * {@link TokenHandlerError} whose message is safe for the browser and whose `cause` is an
 * {@link UpstreamFailureDetail}. The timeout timer is always cleared.
 */
export async function mintClientSecret(req: MintRequest): Promise<{ secret: ClientSecret; upstreamMs: number }> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), req.timeoutMs);
  const onBrowserAbort = () => timeout.abort();
  req.signal?.addEventListener('abort', onBrowserAbort, { once: true });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.apiKey !== undefined) headers.authorization = `Bearer ${req.apiKey}`;
  if (req.safetyIdentifier !== undefined) headers['openai-safety-identifier'] = req.safetyIdentifier;
  const body = JSON.stringify({ expires_after: { anchor: 'created_at', seconds: req.ttlSeconds }, session: req.session });
  try {
    let response: Response;
    let text: string;
    try {
      const send = () => req.fetch(req.url, { method: 'POST', headers, body, signal: timeout.signal, redirect: 'manual' });
      try {
        response = await send();
      } catch (error) {
        // A pooled keep-alive connection the upstream closed just as it was reused fails before
        // any byte of a response: nothing was minted, so one immediate retry is safe.
        if (timeout.signal.aborted || !STALE_CONNECTION.has(causeCodeOf(error) ?? '')) throw error;
        response = await send();
      }
      text = await response.text();
    } catch (error) {
      const detail: UpstreamFailureDetail = { upstreamMs: elapsed() };
      const causeCode = causeCodeOf(error);
      if (causeCode !== undefined) detail.causeCode = causeCode;
      if (req.signal?.aborted === true) {
        return Promise.reject(new TokenHandlerError('client_closed_request', 'The browser closed the request.', { cause: detail }));
      }
      if (timeout.signal.aborted) {
        return Promise.reject(
          new TokenHandlerError('upstream_timeout', `The voice provider did not answer within ${req.timeoutMs} ms.`, { cause: detail }),
        );
      }
      return Promise.reject(new TokenHandlerError('upstream_unreachable', 'The voice provider could not be reached.', { cause: detail }));
    }
    const upstreamMs = elapsed();
    if (!response.ok) {
      const detail: UpstreamFailureDetail = { upstreamMs, upstreamStatus: response.status };
      const code = upstreamCodeOf(text);
      if (code !== undefined) detail.upstreamCode = code;
      throw statusError(response.status, detail, retryAfterOf(response.headers));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = clientSecretSchema.safeParse(parsed);
    if (!result.success) {
      throw new TokenHandlerError('upstream_invalid_response', 'The voice provider sent an unexpected response.', {
        cause: { upstreamMs, upstreamStatus: response.status } satisfies UpstreamFailureDetail,
      });
    }
    return { secret: result.data, upstreamMs };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onBrowserAbort);
  }
}
