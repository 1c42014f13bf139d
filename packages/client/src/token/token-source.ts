import * as z from 'zod/mini';
import { RtvoiceError, isRtvoiceError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/** The GA Realtime calls endpoint, used when a token does not say where to connect. */
export const OPENAI_CALLS_URL = 'https://api.openai.com/v1/realtime/calls';

/** A short-lived key and where to use it. */
export interface EphemeralToken {
  /** The ephemeral key (`ek_…`). Never logged, never put in an error. */
  value: string;
  /** Unix seconds after which the key can no longer start a call, when known. */
  expiresAt?: number;
  /** The Realtime calls URL to POST the SDP offer to. */
  callsUrl: string;
}

/**
 * Supplies a token: return an {@link EphemeralToken}, or just the key string
 * (then `callsUrl` from the options, or OpenAI's, is used).
 */
export type TokenProvider = (signal: AbortSignal) => Promise<EphemeralToken | string>;

/** What rtvoice accepts from a token endpoint: `@rtvoice/server`'s shape, OpenAI's GA shape, or the beta shape. */
const tokenResponse = z.looseObject({
  value: z.optional(z.string()),
  expires_at: z.optional(z.number()),
  calls_url: z.optional(z.string()),
  client_secret: z.optional(z.looseObject({ value: z.string(), expires_at: z.optional(z.number()) })),
});

/**
 * Fetches a token from the site's own token endpoint with a JSON POST
 * (`@rtvoice/server` answers `{ value, expires_at, calls_url, session }`).
 */
export async function fetchToken(
  tokenUrl: string,
  body: Record<string, unknown>,
  fallbackCallsUrl: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<EphemeralToken> {
  let res: Response;
  try {
    res = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw new RtvoiceError('aborted', 'The token request was aborted.', { cause: error });
    throw new RtvoiceError('token_fetch_failed', `The token endpoint ${tokenUrl} could not be reached.`, { cause: error });
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = (json as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' && /^[a-z0-9_]{1,64}$/.test(error.code) ? ` (${error.code})` : '';
    const suffix = typeof error?.message === 'string' && error.message ? `: ${redactSecrets(error.message)}` : '.';
    const retryAfterMs = retryAfterOf(res.headers);
    throw new RtvoiceError('token_fetch_failed', `The token endpoint answered ${res.status}${code}${suffix}`, {
      status: res.status,
      retryable: res.status === 429 || res.status >= 500,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
  }
  const parsed = z.safeParse(tokenResponse, json);
  const value = parsed.success ? (parsed.data.value ?? parsed.data.client_secret?.value) : undefined;
  if (!parsed.success || !value) {
    throw new RtvoiceError('token_fetch_failed', 'The token endpoint answered without a key (`value`).', {
      status: res.status,
      retryable: false,
    });
  }
  const expiresAt = parsed.data.expires_at ?? parsed.data.client_secret?.expires_at;
  const callsUrl = parsed.data.calls_url ? new URL(parsed.data.calls_url, res.url || globalThis.location?.href).href : fallbackCallsUrl;
  return expiresAt === undefined ? { value, callsUrl } : { value, expiresAt, callsUrl };
}

/** `Retry-After` in ms (delay-seconds form only), when present and sane. */
function retryAfterOf(headers: Headers): number | undefined {
  const raw = headers.get('Retry-After')?.trim();
  return raw && /^\d{1,6}$/.test(raw) ? Number(raw) * 1000 : undefined;
}

/** Runs a {@link TokenProvider} and normalises what it returns. */
export async function resolveProvidedToken(
  provider: TokenProvider,
  fallbackCallsUrl: string,
  signal: AbortSignal,
): Promise<EphemeralToken> {
  let token: EphemeralToken | string;
  try {
    token = await provider(signal);
  } catch (error) {
    if (isRtvoiceError(error)) throw error;
    throw new RtvoiceError('token_fetch_failed', 'The getToken function failed.', { cause: error });
  }
  if (typeof token === 'string') {
    if (!token) throw new RtvoiceError('token_fetch_failed', 'The getToken function returned an empty key.');
    return { value: token, callsUrl: fallbackCallsUrl };
  }
  if (!token || typeof token.value !== 'string' || !token.value) {
    throw new RtvoiceError('token_fetch_failed', 'The getToken function returned no key (`value`).');
  }
  return { ...token, callsUrl: token.callsUrl || fallbackCallsUrl };
}
