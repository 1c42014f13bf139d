import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

/** The path of a request target, or undefined when it is malformed (`//`, `/\\`): answered 400, never thrown. */
export function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://x').pathname;
  } catch {
    return undefined;
  }
}

/** A request handler serving folders under URL prefixes (`{ '/vendor/': dir, '/': pages }`). */
export function staticHandler(mounts: Record<string, string>): (req: IncomingMessage, res: ServerResponse) => void {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  return (req, res) => {
    const path = pathOf(req.url);
    if (path === undefined) return void res.writeHead(400).end();
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return void res.writeHead(404).end();
    const root = mount[1];
    const file = join(root, normalize(path.slice(mount[0].length)) || 'index.html');
    if (!file.startsWith(root + sep)) return void res.writeHead(403).end();
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  };
}

/** Listens on 127.0.0.1 (a free port) with `handler`; `close()` ends every connection. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves folders under URL prefixes on 127.0.0.1. */
export function startStaticServer(mounts: Record<string, string>) {
  return listen(staticHandler(mounts));
}
