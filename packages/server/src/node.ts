/**
 * `@rtvoice/server/node`: adapters from the Web-standard {@link TokenHandler} to `node:http`
 * listeners and Express/Connect middleware.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { TokenHandler } from './handler.js';

/** A Node `(req, res)` request listener, as accepted by `http.createServer`. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A Connect/Express middleware: `(req, res, next)`. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Options of {@link toNodeMiddleware}. */
export interface NodeMiddlewareOptions {
  /**
   * Only answer requests whose path is exactly this (e.g. `"/api/token"`); call `next()` for
   * the rest. Default: answer every request that reaches the middleware (mount it with
   * `app.use('/api/token', …)` or `app.post('/api/token', …)`).
   */
  path?: string;
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

function requestUrl(req: IncomingMessage): string {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const host = req.headers.host ?? 'localhost';
  try {
    return new URL(path, `${scheme}://${host}`).href;
  } catch {
    return new URL(path.startsWith('/') ? path : '/', `${scheme}://localhost`).href;
  }
}

/** The body to forward when a body parser (express.json, …) already consumed the stream. */
function parsedBody(req: IncomingMessage): string | undefined {
  const body: unknown = (req as { body?: unknown }).body;
  if (body === undefined || !req.readableEnded) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return JSON.stringify(body);
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (!BODYLESS.has(method)) {
    const parsed = parsedBody(req);
    if (parsed !== undefined) {
      headers.delete('content-length');
      init.body = parsed;
    } else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
  }
  return new Request(requestUrl(req), init);
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  // A refused request (403, 413, …) may still be sending a body nobody will read: close the
  // connection after answering instead of reading the rest or leaving the socket stuck.
  if (!req.complete) res.setHeader('connection', 'close');
  res.end(body);
}

async function serve(handler: TokenHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const aborter = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) aborter.abort();
  };
  res.once('close', onClose);
  try {
    const response = await handler(toRequest(req, aborter.signal), { clientIp: req.socket.remoteAddress });
    if (!res.headersSent && !res.destroyed) await send(req, res, response);
  } finally {
    res.off('close', onClose);
  }
}

function fallback(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = 500;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ error: { code: 'internal_error', message: 'The token endpoint failed unexpectedly.' } }));
}

/**
 * Wraps a {@link TokenHandler} as a `node:http` request listener. The socket's remote address is
 * passed as the client IP; the URL is rebuilt from the `Host` header.
 *
 * @example
 * ```ts
 * http.createServer(toNodeListener(createTokenHandler())).listen(8787, '127.0.0.1');
 * ```
 */
export function toNodeListener(handler: TokenHandler): NodeListener {
  return async (req, res) => {
    try {
      await serve(handler, req, res);
    } catch {
      fallback(res);
    }
  };
}

/**
 * Wraps a {@link TokenHandler} as Express/Connect middleware. Works whether or not a body parser
 * ran before it (an already-parsed `req.body` is forwarded as JSON). Unexpected failures go to
 * `next(error)`.
 *
 * @example
 * ```ts
 * app.post('/api/token', toNodeMiddleware(createTokenHandler()));
 * ```
 */
export function toNodeMiddleware(handler: TokenHandler, options: NodeMiddlewareOptions = {}): NodeMiddleware {
  return (req, res, next) => {
    if (options.path !== undefined) {
      const pathname = (req.url ?? '/').split('?', 1)[0];
      if (pathname !== options.path) {
        next();
        return;
      }
    }
    serve(handler, req, res).catch((error: unknown) => next(error));
  };
}

// Server-controlled calls: the sideband controller (keeps a WebSocket per call: a long-running Node process).
export { createCallController } from './calls/controller.js';
export type { ActiveCall, CallController, CallControllerOptions } from './calls/controller.js';
export type { ServerTool, ServerToolContext } from './calls/server-tools.js';
export type { CallEndReason, CallEvent, CallEventBase, CallEventMap, CallEventType, CallUsageFields } from './calls/events.js';
export { DEFAULT_PRICES } from './calls/pricing.js';
export type { CallUsage, ModelPrices } from './calls/pricing.js';
