/**
 * `createTokenHandler`: the Web-standard `(Request) => Promise<Response>` token endpoint.
 * This module only orchestrates; each rule lives in its own module.
 */
import { readJsonObject } from './body.js';
import { TokenHandlerError, isTokenHandlerError } from './errors.js';
import { createLogSink, type TokenLogEntry } from './logger.js';
import { resolveOptions, type TokenHandlerOptions } from './options.js';
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
  const log = createLogSink(resolved.logger, secrets);
  const leaksSecret = (text: string) => secrets.some((secret) => text.includes(secret));

  return async function tokenHandler(request: Request, context?: unknown): Promise<Response> {
    const started = performance.now();
    const ip = contextIp(context) ?? 'unknown';
    const origin = request.headers.get('origin') ?? undefined;
    const headers = new Headers();
    const base = (): Pick<TokenLogEntry, 'time' | 'ip' | 'durationMs' | 'origin'> => ({
      time: new Date().toISOString(),
      ip,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(origin === undefined ? {} : { origin }),
    });
    try {
      if (request.method !== 'POST') {
        headers.set('allow', 'POST, OPTIONS');
        throw new TokenHandlerError('method_not_allowed', `Use POST to request a token (got ${request.method}).`);
      }
      const overrides = await readJsonObject(request, resolved.maxBodyBytes);
      const unknownKey = Object.keys(overrides)[0];
      if (unknownKey !== undefined) {
        throw new TokenHandlerError('override_not_allowed', `The browser may not set "${unknownKey}"; this endpoint accepts no overrides.`);
      }
      const { secret, upstreamMs } = await mintClientSecret({
        url: resolved.clientSecretsUrl,
        apiKey: resolved.apiKey,
        session: resolved.session,
        ttlSeconds: resolved.ttlSeconds,
        safetyIdentifier: undefined,
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
      const model = typeof secret.session.model === 'string' ? secret.session.model : resolved.session.model;
      try {
        await resolved.onMint?.({ userId: undefined, ip, model, expiresAt: secret.expires_at, origin });
      } catch {
        // A failing metrics hook must not cost the user their token.
      }
      log({
        ...base(),
        level: 'info',
        event: 'token.minted',
        status: 200,
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
      log({
        ...base(),
        level: failed ? 'error' : 'warn',
        event: failed ? 'token.failed' : 'token.rejected',
        status: error.status,
        code: error.code,
        ...detailOf(error),
      });
      return errorResponse(error, headers);
    }
  };
}
