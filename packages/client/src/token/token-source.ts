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
interface TokenResponse {
  value?: unknown;
  expires_at?: unknown;
  calls_url?: unknown;
  client_secret?: { value?: unknown; expires_at?: unknown };
}

/** How a token request is made (see `tokenRequest` in the options). */
export interface TokenRequest {
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
}

/**
 * Fetches a token from the site's own token endpoint with a JSON POST
 * (`@rtvoice/server` answers `{ value, expires_at, calls_url, session }`).
 */
export async function fetchToken(
  tokenUrl: string,
  request: TokenRequest,
  fallbackCallsUrl: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<EphemeralToken> {
  let res: Response;
  try {
    res = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...request.headers },
      body: JSON.stringify(request.body ?? {}),
      credentials: request.credentials ?? 'same-origin',
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
  const data = (typeof json === 'object' && json ? json : {}) as TokenResponse;
  const value = data.value ?? data.client_secret?.value;
  if (typeof value !== 'string' || !value) {
    throw new RtvoiceError('token_fetch_failed', 'The token endpoint answered without a key (`value`).', {
      status: res.status,
      retryable: false,
    });
  }
  const expiresAt = data.expires_at ?? data.client_secret?.expires_at;
  let callsUrl = fallbackCallsUrl;
  if (typeof data.calls_url === 'string' && data.calls_url) {
    try {
      callsUrl = new URL(data.calls_url, res.url || globalThis.location?.href).href;
    } catch {
      throw new RtvoiceError('token_fetch_failed', 'The token endpoint answered an invalid `calls_url`.', { retryable: false });
    }
  }
  return checkCallsUrl(typeof expiresAt === 'number' ? { value, expiresAt, callsUrl } : { value, callsUrl });
}

/**
 * A key is sent only over TLS: the calls URL must be `https:`, or `http:` on a
 * loopback host (a local simulator). Anything else is refused before the key
 * leaves the page.
 */
export function checkCallsUrl(token: EphemeralToken): EphemeralToken {
  let url: URL | undefined;
  try {
    url = new URL(token.callsUrl, globalThis.location?.href);
  } catch {
    url = undefined;
  }
  const loopback = url && /^(localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new RtvoiceError('token_fetch_failed', 'Refused to send the key to a calls URL that is not https: (http: is allowed on loopback only).', {
      retryable: false,
    });
  }
  return { ...token, callsUrl: url.href };
}

/** True while a key may still start a call, with a margin for the SDP round trip. */
export function isTokenFresh(token: EphemeralToken, marginMs = 10_000): boolean {
  return token.expiresAt === undefined || token.expiresAt * 1000 - Date.now() > marginMs;
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
    return checkCallsUrl({ value: token, callsUrl: fallbackCallsUrl });
  }
  if (!token || typeof token.value !== 'string' || !token.value) {
    throw new RtvoiceError('token_fetch_failed', 'The getToken function returned no key (`value`).');
  }
  return checkCallsUrl({ ...token, callsUrl: token.callsUrl || fallbackCallsUrl });
}
