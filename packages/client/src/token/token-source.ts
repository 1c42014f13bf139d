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

/** What rtvoice accepts from a token endpoint: `@rtvoice/server`'s shape or OpenAI's GA `client_secrets` answer. */
interface TokenResponse {
  value?: unknown;
  expires_at?: unknown;
  calls_url?: unknown;
}

/** How a token request is made (see `tokenRequest` in the options). */
export interface TokenRequest {
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
}

const fail = (message: string, options?: { status?: number; retryable?: boolean; retryAfterMs?: number; cause?: unknown }) =>
  new RtvoiceError('token_fetch_failed', message, options);

/**
 * Fetches a token from the site's own token endpoint with a JSON POST
 * (`@rtvoice/server` answers `{ value, expires_at, calls_url, model }`).
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
    if (signal.aborted) throw new RtvoiceError('aborted', 'Aborted.', { cause: error });
    throw fail(`Cannot reach ${tokenUrl}.`, { cause: error });
  }
  let data: TokenResponse & { error?: { message?: unknown; code?: unknown } } = {};
  try {
    data = Object(JSON.parse(await res.text()));
  } catch {
    // Not JSON: reported below as a missing key or with the status.
  }
  const status = res.status;
  if (!res.ok) {
    const { code, message } = data.error ?? {};
    const raw = res.headers.get('Retry-After')?.trim();
    // Delay-seconds form only; quote the endpoint's own code when it looks like one.
    throw fail(
      `The token endpoint answered ${status}${typeof code === 'string' && /^[a-z0-9_]{1,64}$/.test(code) ? ` (${code})` : ''}${typeof message === 'string' && message ? `: ${redactSecrets(message)}` : '.'}`,
      { status, retryable: status === 429 || status >= 500, ...(raw && /^\d{1,6}$/.test(raw) && { retryAfterMs: Number(raw) * 1000 }) },
    );
  }
  const value = data.value;
  if (typeof value !== 'string' || !value) throw fail('No key (`value`) in the token.', { status, retryable: false });
  const expiresAt = data.expires_at;
  const url = data.calls_url;
  return checkCallsUrl({
    value,
    callsUrl: typeof url === 'string' && url ? resolveUrl(url, res.url) : fallbackCallsUrl,
    ...(typeof expiresAt === 'number' && { expiresAt }),
  });
}

function resolveUrl(url: string, base?: string): string {
  try {
    return new URL(url, base || globalThis.location?.href).href;
  } catch {
    return '';
  }
}

/**
 * A key is sent only over TLS: the calls URL must be `https:`, or `http:` on a
 * loopback host (a local simulator). Anything else is refused before the key
 * leaves the page.
 */
export function checkCallsUrl(token: EphemeralToken): EphemeralToken {
  const href = resolveUrl(token.callsUrl);
  const url = href ? new URL(href) : undefined;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname)))) {
    throw fail('The calls URL must be https: (http: on loopback only).', { retryable: false });
  }
  return { ...token, callsUrl: href };
}

/** True while a key may still start a call, with a margin for the SDP round trip. */
export function isTokenFresh(token: EphemeralToken, marginMs = 10_000): boolean {
  return token.expiresAt === undefined || token.expiresAt * 1000 - Date.now() > marginMs;
}

/** Runs a {@link TokenProvider} and normalises what it returns. */
export async function resolveProvidedToken(provider: TokenProvider, fallbackCallsUrl: string, signal: AbortSignal): Promise<EphemeralToken> {
  let token: EphemeralToken | string;
  try {
    token = await provider(signal);
  } catch (error) {
    throw isRtvoiceError(error) ? error : fail('getToken() failed.', { cause: error });
  }
  if (typeof token === 'string') token = { value: token, callsUrl: '' };
  if (!token?.value || typeof token.value !== 'string') throw fail('No key (`value`) in the token.');
  return checkCallsUrl({ ...token, callsUrl: token.callsUrl || fallbackCallsUrl });
}
