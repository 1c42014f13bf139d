import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSimError } from '../errors.js';
import { type FaultSpec, mergeFaults } from '../faults/fault-spec.js';
import type { KeyRecord } from '../keys/key-store.js';
import { newSessionId } from '../protocol/ids.js';
import { DEFAULT_MODEL, defaultSession, mergeSession, type RealtimeSession } from '../protocol/session-config.js';
import { realtimeSessionInput } from '../protocol/session-schema.js';
import { fromZodError, invalidRequest } from '../protocol/wire-error.js';
import { bearer, mediaType, parseMultipart, readBody } from './body.js';
import type { SimContext } from './context.js';
import { applyHttpFault, type FaultSource } from './http-faults.js';
import type { RequestOptions } from './request-options.js';
import { corsHeaders, INVALID_OFFER, sendError } from './respond.js';

/** Max session length on the service (DOC-CONV): 60 minutes. */
export const SESSION_SECONDS = 3600;

const MISSING_KEY = invalidRequest(
  null,
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
);

/** Which SDP endpoint is being served. */
export type SdpEndpoint = 'calls' | 'beta';

/**
 * `POST /v1/realtime/calls` (GA) and `POST /v1/realtime?model=` (beta):
 * checks the key and content type, answers the SDP offer with the sim's
 * loopback candidate and starts a session. `201` + `application/sdp` +
 * `Location: /v1/realtime/calls/rtc_…`. Errors use OpenAI's JSON body:
 * 401 unknown/expired key, 415 wrong content type, 400 `invalid_offer`.
 *
 * Keys: an `ek_…` minted by this sim (its session config, faults and
 * scenario apply), or any `sk-…` key as a stand-in for a standard API key
 * (server-side "unified" interface, `multipart/form-data` with `sdp` and
 * `session` fields).
 */
export async function handleCalls(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: RequestOptions,
  endpoint: SdpEndpoint,
): Promise<void> {
  const token = bearer(req);
  const lookup = token?.startsWith('ek_') ? ctx.keys.lookup(token) : undefined;
  const key: KeyRecord | undefined = lookup?.status === 'valid' ? lookup.record : undefined;
  const sources: FaultSource[] = [
    { name: 'global', spec: ctx.globalFaults },
    { name: `key:${key?.value ?? ''}`, spec: key?.faults },
    { name: 'request', spec: options.faults },
  ];
  if (await applyHttpFault(ctx, req, res, 'calls', sources)) return;
  if (!token) return sendError(req, res, 401, MISSING_KEY);
  if (lookup && lookup.status !== 'valid') {
    const message =
      lookup.status === 'expired'
        ? 'The ephemeral key has expired. Create a new one with POST /v1/realtime/client_secrets.'
        : `Incorrect API key provided: ${token.slice(0, 6)}***. You can create an ephemeral key with POST /v1/realtime/client_secrets.`;
    return sendError(req, res, 401, invalidRequest('invalid_api_key', message));
  }
  if (!key && !token.startsWith('sk-')) {
    return sendError(req, res, 401, invalidRequest('invalid_api_key', `Incorrect API key provided: ${token.slice(0, 4)}***.`));
  }
  const type = mediaType(req);
  if (type !== 'application/sdp' && type !== 'multipart/form-data') {
    return sendError(
      req,
      res,
      415,
      invalidRequest(
        'unsupported_content_type',
        `Unsupported content type: '${type || '(none)'}'. This endpoint expects 'application/sdp' (or 'multipart/form-data' with 'sdp' and 'session' fields).`,
      ),
    );
  }
  const body = await readBody(req);
  let offer = body.toString('utf8');
  let session: RealtimeSession = key ? structuredClone(key.session) : defaultSession('', 0);
  if (!key) session.model = url.searchParams.get('model') ?? DEFAULT_MODEL;
  if (type === 'multipart/form-data') {
    let fields: Map<string, string>;
    try {
      fields = await parseMultipart(body, String(req.headers['content-type']));
    } catch {
      return sendError(req, res, 400, invalidRequest('invalid_request_error', 'Could not parse the multipart body.'));
    }
    offer = fields.get('sdp') ?? '';
    const sessionText = fields.get('session');
    if (sessionText) {
      const merged = mergeMultipartSession(session, sessionText);
      if ('error' in merged) return sendError(req, res, 400, merged.error);
      session = merged.session;
    }
  }
  session.id = newSessionId();
  session.expires_at = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  const scenario = options.scenario ?? key?.scenario;
  if (scenario && !ctx.hasScenario(scenario)) {
    return sendError(req, res, 400, invalidRequest('unknown_scenario', `rtvoice-sim has no scenario named '${scenario}'.`, 'x-sim-scenario'));
  }
  const faults: FaultSpec = mergeFaults(ctx.globalFaults, key?.faults, options.faults);
  try {
    const { callId, answerSdp } = await ctx.startCall(offer, session, {
      faults,
      ...(scenario ? { scenario } : {}),
      beta: endpoint === 'beta' || key?.beta === true,
      ...(key?.betaTemperature !== undefined ? { betaTemperature: key.betaTemperature } : {}),
    });
    res.writeHead(201, {
      ...corsHeaders(req),
      'content-type': 'application/sdp',
      'content-length': Buffer.byteLength(answerSdp),
      location: `/v1/realtime/calls/${callId}`,
    });
    res.end(answerSdp);
  } catch (error) {
    if (isSimError(error) && error.code === 'invalid_offer') return sendError(req, res, 400, INVALID_OFFER);
    ctx.logger.error('call setup failed', { error: error instanceof Error ? error.message : String(error) });
    return sendError(req, res, 500, {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    });
  }
}

function mergeMultipartSession(
  base: RealtimeSession,
  text: string,
): { session: RealtimeSession } | { error: ReturnType<typeof invalidRequest> } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: invalidRequest('invalid_json', "The 'session' field is not valid JSON.", 'session') };
  }
  const parsed = realtimeSessionInput.safeParse(raw);
  if (!parsed.success) return { error: fromZodError(parsed.error, 'session', raw) };
  const session = mergeSession(base, parsed.data);
  if (parsed.data.model) session.model = parsed.data.model;
  return { session };
}
