import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * The decoded path of a request target, or undefined when it is not a valid
 * URL path (`//`, `/%E0`, `/%`): the caller answers 400 instead of throwing.
 * @param {string | undefined} target - `req.url`.
 * @returns {{ pathname: string, searchParams: URLSearchParams, decoded: string } | undefined}
 */
export function parseTarget(target) {
  try {
    const url = new URL(target ?? '/', 'http://localhost');
    if (url.host !== 'localhost') return undefined;
    return { pathname: url.pathname, searchParams: url.searchParams, decoded: decodeURIComponent(url.pathname) };
  } catch {
    return undefined;
  }
}

/** Answers 400 to a malformed request target. */
export function badRequest(res) {
  if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' });
  res.end('bad request');
}

/**
 * Serves files below `root` (index.html for "/"), refusing anything that
 * resolves outside it. A malformed path gets 400; an unexpected failure ends
 * the response, never the process.
 */
export function serveStatic(root) {
  const serve = async (req, res) => {
    const target = parseTarget(req.url);
    if (target === undefined) return badRequest(res);
    const rel = normalize(target.decoded).replace(/^([/\\])+/, '');
    const file = join(root, rel || 'index.html');
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    try {
      const info = await stat(file);
      const path = info.isDirectory() ? join(file, 'index.html') : file;
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
      createReadStream(path).on('error', () => res.destroy()).pipe(res);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  };
  return (req, res) =>
    serve(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error');
    });
}
