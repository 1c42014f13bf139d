/**
 * `createTokenHandler`: the Web-standard `(Request) => Promise<Response>` token endpoint.
 * This module only orchestrates; each rule lives in its own module.
 */
import { readJsonObject } from './body.js';
import { resolveClientIp, trustedHops } from './client-ip.js';
import { createOriginPolicy } from './cors.js';
import { TokenHandlerError, isTokenHandlerError } from './errors.js';
import { hashUserId, runAuthorize } from './identity.js';
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
  const { upstreamStatus, upstreamCode, causeCode, upstreamMs } = cause as Partial<UpstreamFailureDetail>;
  return {
    ...(typeof upstreamStatus === 'number' ? { upstreamStatus } : {}),
    ...(typeof upstreamCode === 'string' ? { upstreamCode } : {}),
    ...(typeof causeCode === 'string' ? { causeCode } : {}),
    ...(typeof upstreamMs === 'number' ? { upstreamMs } : {}),
  };
}

/**
 * Creates the token endpoint. Options are validated here, once: a bad option or a missing
 * OpenAI key throws a {@link TokenHandlerError} (`invalid_options` / `missing_api_key`) before
 * any request is served.
 *
 * @example
 * ```ts
 * import { createTokenHandler } from '@rtvoice/server';
 * const handler = createTokenHandler({ session: { instructions: 'You are a friendly concierge.' } });
 * export default { fetch: handler };
 * ```
 */
export function createTokenHandler(options: TokenHandlerOptions = {}): TokenHandler {
  const resolved = resolveOptions(options);
  const secrets = resolved.apiKey === undefined ? [] : [resolved.apiKey];
  const sink = createLogSink(resolved.logger, secrets);
  const log = (entry: Omit<TokenLogEntry, 'time'>) => sink({ time: new Date().toISOString(), ...entry });
  const leaksSecret = (text: string) => secrets.some((secret) => text.includes(secret));

  const policy = createOriginPolicy(resolved.allowedOrigins, resolved.cors, trustedHops(resolved.clientIp.trustProxy) > 0);
  const rateCheck = createRateCheck(resolved.rateLimit);

  return async function tokenHandler(request: Request, context?: unknown): Promise<Response> {
    const started = performance.now();
    const ip = resolveClientIp(request, contextIp(context), resolved.clientIp);
    const origin = request.headers.get('origin') ?? undefined;
    const headers = new Headers({ vary: 'Origin' });
    let userId: string | undefined;
    let userHash: string | undefined;
    const base = (): Pick<TokenLogEntry, 'ip' | 'durationMs' | 'origin' | 'user'> => ({
      ip,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(origin === undefined ? {} : { origin: origin.slice(0, 200) }),
      ...(userHash === undefined ? {} : { user: `sha256:${userHash.slice(0, 32)}` }),
    });
    try {
      if (origin !== undefined) {
        if (!policy.allows(origin, request)) {
          throw new TokenHandlerError('origin_not_allowed', 'This site may not request voice tokens from this server.');
        }
        policy.responseHeaders(origin).forEach((value, name) => headers.set(name, value));
      }
      if (request.method === 'OPTIONS') {
        if (origin !== undefined && request.headers.has('access-control-request-method')) {
          return new Response(null, { status: 204, headers: policy.preflightHeaders(origin) });
        }
        headers.set('allow', 'POST, OPTIONS');
        return new Response(null, { status: 204, headers });
      }
      if (request.method !== 'POST') {
        headers.set('allow', 'POST, OPTIONS');
        throw new TokenHandlerError('method_not_allowed', `Use POST to request a token (got ${request.method.slice(0, 16)}).`);
      }
      await rateCheck('ip', ip);
      userId = await runAuthorize(resolved.authorize, request, { ip });
      if (userId !== undefined) {
        userHash = await hashUserId(userId, resolved.safetySalt ?? 'rtvoice');
        await rateCheck('user', userHash);
      }
      const overrides = await readJsonObject(request, resolved.maxBodyBytes);
      const session = applyOverrides(resolved.session, overrides, resolved.allowClientOverrides);
      const { secret, upstreamMs } = await mintClientSecret({
        url: resolved.clientSecretsUrl,
        apiKey: resolved.apiKey,
        session,
        ttlSeconds: resolved.ttlSeconds,
        safetyIdentifier: resolved.safetySalt === undefined ? undefined : userHash,
        timeoutMs: resolved.timeoutMs,
        signal: request.signal,
        fetch: resolved.fetch,
      });
      const body: TokenResponseBody = {
        value: secret.value,
        expires_at: secret.expires_at,
        calls_url: resolved.callsUrl,
        session: secret.session,
      };
      if (leaksSecret(JSON.stringify(body))) {
        throw new TokenHandlerError('upstream_invalid_response', 'The voice provider sent an unexpected response.');
      }
      const model = typeof secret.session.model === 'string' ? secret.session.model : session.model;
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
