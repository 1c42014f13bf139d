import type { IncomingMessage, ServerResponse } from 'node:http';
import { mergeFaults } from '../faults/fault-spec.js';
import { BetaDialect } from '../protocol/beta-dialect.js';
import { betaSessionsRequest } from '../protocol/beta-schema.js';
import { newSessionId } from '../protocol/ids.js';
import { DEFAULT_MODEL, defaultSession, mergeSession } from '../protocol/session-config.js';
import { fromZodError, invalidRequest } from '../protocol/wire-error.js';
import { readOptionalJson } from './body.js';
import { INVALID_JSON_BODY } from './client-secrets.js';
import type { SimContext } from './context.js';
import { applyHttpFault } from './http-faults.js';
import type { RequestOptions } from './request-options.js';
import { sendError, sendJson } from './respond.js';

/** Beta keys lived one minute by default (NODE beta `sessions.ts`). */
export const BETA_KEY_TTL_SECONDS = 60;

/**
 * Beta `POST /v1/realtime/sessions`: body = flat session config (plus
 * optional `client_secret.expires_after`), answer = the beta session object
 * with `client_secret: {value, expires_at}`. Sessions created with the key
 * speak the beta dialect.
 */
export async function handleBetaSessions(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: RequestOptions,
): Promise<void> {
  if (await applyHttpFault(ctx, req, res, 'sessions', [
    { name: 'global', spec: ctx.globalFaults },
    { name: 'request', spec: options.faults },
  ])) return;
  const raw = await readOptionalJson(req);
  if (raw === undefined) return sendError(req, res, 400, INVALID_JSON_BODY);
  const parsed = betaSessionsRequest.safeParse(raw);
  if (!parsed.success) return sendError(req, res, 400, fromZodError(parsed.error, '', raw));
  if (options.scenario && !ctx.hasScenario(options.scenario)) {
    return sendError(req, res, 400, invalidRequest('unknown_scenario', `rtvoice-sim has no scenario named '${options.scenario}'.`, 'x-sim-scenario'));
  }
  const { client_secret: secret, ...config } = parsed.data;
  const dialect = new BetaDialect();
  const session = mergeSession(defaultSession(newSessionId(), 0), dialect.sessionToGa(config));
  session.model = config.model ?? DEFAULT_MODEL;
  const faults = mergeFaults(ctx.globalFaults, options.faults);
  const ttl = faults.keyTtlSeconds ?? secret?.expires_after.seconds ?? BETA_KEY_TTL_SECONDS;
  const record = ctx.keys.mint(ttl, session, {
    beta: true,
    betaTemperature: dialect.temperature,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  session.expires_at = record.expiresAt;
  sendJson(req, res, 200, { ...dialect.session(session), client_secret: { value: record.value, expires_at: record.expiresAt } });
}
