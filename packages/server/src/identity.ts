/**
 * Who is minting: the `authorize` hook's verdict, and the keyed per-user identifier (HMAC)
 * sent upstream as `OpenAI-Safety-Identifier`.
 */
import { TokenHandlerError } from './errors.js';

/** Facts the handler passes to `authorize` besides the request. */
export interface AuthorizeContext {
  /** Client IP as resolved (see `trustProxy`), or `"unknown"`. */
  ip: string;
}

/**
 * What `authorize` returns:
 * - `false`, `null` or `undefined`: refuse with 401 `unauthorized`;
 * - `true`: allow, anonymously (only per-IP limits apply);
 * - `{ userId }`: allow as this user (per-user limits, `OpenAI-Safety-Identifier`, `onMint`).
 *
 * It may also throw a `TokenHandlerError` to refuse with its own code, status and message
 * (e.g. `forbidden`); any other thrown error becomes 500 `internal_error`.
 */
export type AuthorizeResult = boolean | null | undefined | { userId: string };

/**
 * Your login check, e.g. read a session cookie and return `{ userId }`. Called after the origin
 * check and the per-IP limit, before the body is read. Do not consume `request.body`.
 */
export type AuthorizeHook = (request: Request, context: AuthorizeContext) => AuthorizeResult | Promise<AuthorizeResult>;

/** Runs `authorize` and returns the user id (or undefined for anonymous). */
export async function runAuthorize(hook: AuthorizeHook | undefined, request: Request, context: AuthorizeContext): Promise<string | undefined> {
  if (hook === undefined) return undefined;
  const verdict = await hook(request, context);
  if (verdict === true) return undefined;
  if (typeof verdict === 'object' && verdict !== null && typeof verdict.userId === 'string' && verdict.userId.length > 0) {
    return verdict.userId;
  }
  if (typeof verdict === 'object' && verdict !== null) {
    throw new TokenHandlerError('internal_error', 'The token endpoint failed unexpectedly.', {
      cause: new TypeError('authorize returned an object without a non-empty string userId'),
    });
  }
  throw new TokenHandlerError('unauthorized', 'Sign in to start a voice session.');
}

/**
 * The stable pseudonymous id of a user: `sha256(salt + ":" + userId)` in hex (64 chars).
 *
 * @deprecated A salted hash with a guessable salt can be reversed for guessable ids (emails).
 *   Use {@link hmacUserId} with a secret; the handler sends `OpenAI-Safety-Identifier` only as
 *   that HMAC (`safetyIdentifier: { secret }`).
 */
export async function hashUserId(userId: string, salt: string): Promise<string> {
  const data = new TextEncoder().encode(`${salt}:${userId}`);
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `HMAC-SHA256(secret, userId)` in hex (64 chars): what the handler sends as
 * `OpenAI-Safety-Identifier` (and uses for per-user rate-limit keys and the log's `user`)
 * when `safetyIdentifier: { secret }` is set. Without the secret it cannot be computed or
 * reversed by guessing ids.
 */
export async function hmacUserId(userId: string, secret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(userId));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The pseudonymous key of a user inside this server (per-user rate-limit bucket, log `user`):
 * the HMAC with `secret` when there is one, else `sha256("rtvoice:" + userId)` (never sent
 * upstream). Returns the hex digest and the label for the log (`hmac:` / `sha256:` + 32 hex).
 */
export async function userKey(userId: string, secret: string | undefined): Promise<{ key: string; label: string }> {
  // The unkeyed form stays for the internal key so existing Redis buckets keep their names.
  const key = secret === undefined ? await hashUserId(userId, 'rtvoice') : await hmacUserId(userId, secret);
  return { key, label: `${secret === undefined ? 'sha256' : 'hmac'}:${key.slice(0, 32)}` };
}
