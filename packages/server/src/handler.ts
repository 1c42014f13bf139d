/**
 * `createTokenHandler`: the Web-standard `(Request) => Promise<Response>` token endpoint.
 * This module only orchestrates; each rule lives in its own module.
 */
import { readJsonObject } from './body.js';
import { resolveClientIp } from './client-ip.js';
import { TokenHandlerError, isTokenHandlerError } from './errors.js';
import { createRequestGuard } from './guard.js';
import { runAuthorize, userKey } from './identity.js';
import { createLogSink, type TokenLogEntry } from './logger.js';
import { resolveOptions, type TokenHandlerOptions } from './options.js';
import { applyOverrides } from './overrides.js';
import { createRateCheck } from './rate-limit/limiter.js';
import { errorResponse, jsonResponse, type TokenResponseBody } from './responses.js';
import { mintClientSecret, type UpstreamFailureDetail } from './upstream.js';

/** Per-request facts a platform adapter knows and a `Request` does not carry. */
export interface TokenRequestContext {
  /** The TCP peer address (the Node adapter fills it in from `socket.remoteAddress`). */
  clientIp?: string;
}

/**
 * The token endpoint: a function from a Web `Request` to a `Response`. Mount it on any path;
 * it answers `POST` (mint) and `OPTIONS` (CORS preflight) and refuses every other method.
 * The optional second argument is ignored unless it is a {@link TokenRequestContext}, so the
 * function can be used directly as a Workers/Deno/Bun `fetch` export.
 */
export type TokenHandler = (request: Request, context?: TokenRequestContext | unknown) => Promise<Response>;

function contextIp(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const ip: unknown = (context as { clientIp?: unknown }).clientIp;
  return typeof ip === 'string' && ip.length > 0 && ip.length <= 64 ? ip : undefined;
}

function detailOf(error: TokenHandlerError): Partial<UpstreamFailureDetail> {
  const cause: unknown = error.cause;
  if (typeof cause !== 'object' || cause === null) return {};
  const { upstreamStatus, upstreamCode, upstreamType, upstreamMessage, causeCode, upstreamMs } = cause as Partial<UpstreamFailureDetail>;
  return {
    ...(typeof upstreamStatus === 'number' ? { upstreamStatus } : {}),
    ...(typeof upstreamCode === 'string' ? { upstreamCode } : {}),
    ...(typeof upstreamType === 'string' ? { upstreamType } : {}),
    ...(typeof upstreamMessage === 'string' ? { upstreamMessage } : {}),
    ...(typeof causeCode === 'string' ? { causeCode } : {}),
    ...(typeof upstreamMs === 'number' ? { upstreamMs } : {}),
  };
}

/**
 * Creates the token endpoint. Options are validated here, once: a bad option, a missing key,
 * or a real upstream with neither `authorize` nor `public: true` throws a
 * {@link TokenHandlerError} (`invalid_options` / `missing_api_key`) before any request is
 * served.
 *
 * @example
 * ```ts
 * import { createTokenHandler } from '@rtvoice/server';
 * const handler = createTokenHandler({
 *   session: { instructions: 'You are a friendly concierge.' },
 *   authorize: async (request) => {
 *     const user = await getUser(request); // your session or JWT check
 *     return user ? { userId: user.id } : false;
 *   },
 * });
 * export default { fetch: handler };
 * ```
 */
export function createTokenHandler(options: TokenHandlerOptions = {}): TokenHandler {
  const resolved = resolveOptions(options);
  const secrets = resolved.apiKey === undefined ? [] : [resolved.apiKey];
  const sink = createLogSink(resolved.logger, secrets);
  const log = (entry: Omit<TokenLogEntry, 'time'>) => sink({ time: new Date().toISOString(), ...entry });
  const leaksSecret = (text: string) => secrets.some((secret) => text.includes(secret));

  const guard = createRequestGuard(resolved);
  const rateCheck = createRateCheck(resolved.rateLimit);

  return async function tokenHandler(request: Request, context?: unknown): Promise<Response> {
    const started = performance.now();
    const peerIp = contextIp(context);
    const ip = resolveClientIp(request, peerIp, resolved.clientIp);
    const origin = request.headers.get('origin') ?? undefined;
    let headers = new Headers({ vary: 'Origin' });
    let userId: string | undefined;
    let userLabel: string | undefined;
    const base = (): Pick<TokenLogEntry, 'ip' | 'durationMs' | 'origin' | 'user'> => ({
      ip,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(origin === undefined ? {} : { origin: origin.slice(0, 200) }),
      ...(userLabel === undefined ? {} : { user: userLabel }),
    });
    try {
      headers = guard.check(request, peerIp);
      if (request.method === 'OPTIONS') {
        const preflight = guard.preflight(request);
        if (preflight !== undefined) return preflight;
        headers.set('allow', 'POST, OPTIONS');
        return new Response(null, { status: 204, headers });
      }
      if (request.method !== 'POST') {
        headers.set('allow', 'POST, OPTIONS');
        throw new TokenHandlerError('method_not_allowed', `Use POST to request a token (got ${request.method.slice(0, 16)}).`);
      }
      await rateCheck('ip', ip);
      userId = await runAuthorize(resolved.authorize, request, { ip });
      let safetyIdentifier: string | undefined;
      if (userId !== undefined) {
        const user = await userKey(userId, resolved.safetySecret);
        userLabel = user.label;
        if (resolved.safetySecret !== undefined) safetyIdentifier = user.key;
        await rateCheck('user', user.key);
      }
      const overrides = await readJsonObject(request, resolved.maxBodyBytes);
      const session = applyOverrides(resolved.session, overrides, resolved.allowClientOverrides);
      const { secret, upstreamMs } = await mintClientSecret({
        url: resolved.clientSecretsUrl,
        authHeaders: resolved.provider.authHeaders,
        session,
        ttlSeconds: resolved.ttlSeconds,
        safetyIdentifier,
        timeoutMs: resolved.timeoutMs,
        signal: request.signal,
        fetch: resolved.fetch,
      });
      const upstreamModel = secret.session?.model;
      const model = typeof upstreamModel === 'string' ? upstreamModel : session.model;
      // Only what the browser needs: the upstream's session (instructions, tools, MCP
      // servers and their headers) stays on the server.
      const body: TokenResponseBody = {
        value: secret.value,
        expires_at: secret.expires_at,
        calls_url: resolved.callsUrl,
        ...(model === undefined ? {} : { model }),
      };
      if (leaksSecret(JSON.stringify(body))) {
        throw new TokenHandlerError('upstream_invalid_response', 'The voice service sent an unexpected response.');
      }
      try {
        await resolved.onMint?.({ userId, ip, model, expiresAt: secret.expires_at, origin });
      } catch {
        // A failing metrics hook must not cost the user their token.
      }
      log({
        level: 'info',
        event: 'token.minted',
        status: 200,
        ...base(),
        ...(model === undefined ? {} : { model }),
        expiresAt: secret.expires_at,
        upstreamMs,
      });
      return jsonResponse(200, body, headers);
    } catch (caught) {
      const error =
        isTokenHandlerError(caught) && !leaksSecret(caught.message)
          ? caught
          : new TokenHandlerError('internal_error', 'The token endpoint failed unexpectedly.', { cause: caught });
      const failed = error.status >= 500 || error.code.startsWith('upstream_');
      try {
        await resolved.onReject?.({ code: error.code, status: error.status, userId, ip, origin });
      } catch {
        // Same as onMint: observability must not change the answer.
      }
      log({
        level: failed ? 'error' : 'warn',
        event: failed ? 'token.failed' : 'token.rejected',
        status: error.status,
        code: error.code,
        ...base(),
        ...detailOf(error),
      });
      return errorResponse(error, headers);
    }
  };
}
