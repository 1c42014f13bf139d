import type { IncomingMessage, ServerResponse } from 'node:http';
import { mergeFaults, type FaultSpec } from '../faults/fault-spec.js';
import { newSessionId } from '../protocol/ids.js';
import { DEFAULT_MODEL, defaultSession, mergeSession } from '../protocol/session-config.js';
import { clientSecretRequest } from '../protocol/session-schema.js';
import { fromZodError, invalidRequest } from '../protocol/wire-error.js';
import { readOptionalJson } from './body.js';
import type { SimContext } from './context.js';
import { applyHttpFault } from './http-faults.js';
import type { RequestOptions } from './request-options.js';
import { sendError, sendJson } from './respond.js';

/** Default key lifetime (SPEC: `expires_after.seconds` default 600). */
export const DEFAULT_KEY_TTL_SECONDS = 600;

/** The service's answer to a body that is not JSON. */
export const INVALID_JSON_BODY = invalidRequest(
  null,
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
);

/**
 * `POST /v1/realtime/client_secrets` (GA): validates the body like the
 * service, mints an `ek_…` key bound to the effective session and answers
 * `200 {value, expires_at, session}`. Any Authorization header (or none) is
 * accepted: the sim has no real API keys. Faults and the scenario named in
 * the request are attached to the key and apply to calls made with it.
 */
export async function handleClientSecrets(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: RequestOptions,
): Promise<void> {
  if (await applyHttpFault(ctx, req, res, 'client_secrets', [
    { name: 'global', spec: ctx.globalFaults },
    { name: 'request', spec: options.faults },
  ])) return;
  const raw = await readOptionalJson(req);
  if (raw === undefined) return sendError(req, res, 400, INVALID_JSON_BODY);
  const parsed = clientSecretRequest.safeParse(raw);
  if (!parsed.success) {
    sendError(req, res, 400, fromZodError(parsed.error, '', raw));
    return;
  }
  if (options.scenario && !ctx.hasScenario(options.scenario)) {
    sendError(req, res, 400, invalidRequest('unknown_scenario', `rtvoice-sim has no scenario named '${options.scenario}'.`, 'x-sim-scenario'));
    return;
  }
  const faults: FaultSpec = mergeFaults(ctx.globalFaults, options.faults);
  const ttl = faults.keyTtlSeconds ?? parsed.data.expires_after?.seconds ?? DEFAULT_KEY_TTL_SECONDS;
  let session = defaultSession(newSessionId(), 0);
  if (parsed.data.session) session = mergeSession(session, parsed.data.session);
  session.model = parsed.data.session?.model ?? DEFAULT_MODEL;
  const record = ctx.keys.mint(ttl, session, {
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  ctx.logger.info('client secret minted', { ttl_s: ttl, scenario: options.scenario });
  ctx.warmRtc();
  sendJson(req, res, 200, { value: record.value, expires_at: record.expiresAt, session });
}
