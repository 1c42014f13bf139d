import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSimError } from '../errors.js';
import { invalidRequest } from '../protocol/wire-error.js';
import { BodyTooLargeError } from './body.js';
import { handleCalls } from './calls.js';
import { handleClientSecrets } from './client-secrets.js';
import type { SimContext } from './context.js';
import { readRequestOptions } from './request-options.js';
import { corsHeaders, sendError, sendJson } from './respond.js';

/** Signature of a Node `http` request listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const HANGUP = /^\/v1\/realtime\/calls\/(rtc_[A-Za-z0-9_]+)\/hangup$/;

/**
 * The sim's HTTP routes:
 * `OPTIONS *` (CORS preflight), `GET /health`,
 * `POST /v1/realtime/client_secrets`, `POST /v1/realtime/calls`,
 * `POST /v1/realtime/calls/{id}/hangup`, and the beta
 * `POST /v1/realtime/sessions` and `POST /v1/realtime?model=`.
 * Anything else: 404 with OpenAI's "Invalid URL" body.
 */
export function createRouter(ctx: SimContext, beta: { sessions?: RouteHandler } = {}): RequestListener {
  return (req, res) => {
    route(ctx, req, res, beta).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendError(req, res, 413, invalidRequest(null, error.message));
      } else if (isSimError(error) && error.code === 'invalid_fault') {
        sendError(req, res, 400, invalidRequest('invalid_fault', error.message, 'x-sim-fault'));
      } else {
        ctx.logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
        sendError(req, res, 500, {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        });
      }
    });
  };
}

/** A route handler taking the parsed URL and per-request options. */
export type RouteHandler = (
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: ReturnType<typeof readRequestOptions>,
) => Promise<void>;

async function route(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  beta: { sessions?: RouteHandler },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, corsHeaders(req));
    res.end();
    return;
  }
  if (method === 'GET' && path === '/health') {
    sendJson(req, res, 200, ctx.health());
    return;
  }
  if (method === 'POST') {
    if (path === '/v1/realtime/client_secrets') return handleClientSecrets(ctx, req, res, readRequestOptions(req, url));
    if (path === '/v1/realtime/calls') return handleCalls(ctx, req, res, url, readRequestOptions(req, url), 'calls');
    if (path === '/v1/realtime' && url.searchParams.has('model')) {
      return handleCalls(ctx, req, res, url, readRequestOptions(req, url), 'beta');
    }
    if (path === '/v1/realtime/sessions' && beta.sessions) return beta.sessions(ctx, req, res, readRequestOptions(req, url));
    const hangup = HANGUP.exec(path);
    if (hangup?.[1]) {
      if (!ctx.hangup(hangup[1])) {
        sendError(req, res, 404, invalidRequest('call_id_not_found', 'No session found for the provided call_id', 'call_id'));
        return;
      }
      sendJson(req, res, 200, {});
      return;
    }
  }
  // Drain any body so the connection can be reused.
  req.resume();
  sendError(req, res, 404, invalidRequest(null, `Invalid URL (${method} ${url.pathname})`));
}
