import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenHandler } from './handler.js';
import { toNodeListener, toNodeMiddleware, type NodeMiddleware } from './node.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';

let upstream: FakeUpstream;
let server: Server | undefined;

beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
  await upstream.close();
});

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A tiny Connect-style chain, enough to exercise `(req, res, next)`. */
function chain(...layers: NodeMiddleware[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let i = 0;
    const next = (error?: unknown) => {
      const layer = layers[i++];
      if (error !== undefined || layer === undefined) {
        res.statusCode = error === undefined ? 404 : 500;
        res.end(error === undefined ? 'not found' : 'boom');
        return;
      }
      layer(req, res, next);
    };
    next();
  };
}

describe('toNodeListener', () => {
  it('serves the contract the browser client relies on', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const url = await listen((req, res) =>
      req.url?.startsWith('/api/token') ? void toNodeListener(handler)(req, res) : res.end('static'),
    );
    const res = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['calls_url', 'expires_at', 'model', 'value']);
    expect(body.calls_url).toBe(`${upstream.url}/realtime/calls`);
    expect(await (await fetch(`${url}/index.html`)).text()).toBe('static');
  });

  it('passes the socket address as the client IP', async () => {
    const ips: string[] = [];
    const handler = createTokenHandler({ upstream: upstream.url, onMint: (e) => void ips.push(e.ip) });
    const url = await listen(toNodeListener(handler));
    await fetch(url, { method: 'POST' });
    expect(ips[0]).toMatch(/127\.0\.0\.1$/);
  });

  it('answers 413 for a large streamed body and closes the connection', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, maxBodyBytes: 1024 });
    const url = await listen(toNodeListener(handler));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(upstream.requests).toHaveLength(0);
  });

  it('closes the connection after refusing a request whose body it did not read, so keep-alive stays usable', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const url = await listen(toNodeListener(handler));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (headers: Record<string, string>, body: string) =>
      new Promise<[number | undefined, string | undefined]>((resolve, reject) => {
        const req = request(`${url}/api/token`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          res.resume();
          res.on('end', () => resolve([res.statusCode, res.headers.connection]));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      expect(await send({ origin: 'https://evil.test' }, 'x'.repeat(300_000))).toEqual([403, 'close']);
      expect(await send({}, '{}')).toEqual([200, 'keep-alive']);
      expect(await send({}, '{}')).toEqual([200, 'keep-alive']);
    } finally {
      agent.destroy();
    }
  });

  it('turns a handler that throws into a 500 JSON error', async () => {
    const url = await listen(toNodeListener(() => Promise.reject(new Error('bug'))));
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
  });
});

describe('toNodeMiddleware', () => {
  it('works in a Connect-style chain, with and without a body parser before it', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const jsonParser: NodeMiddleware = (req, _res, next) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        (req as { body?: unknown }).body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
        next();
      });
    };
    const url = await listen(chain(jsonParser, toNodeMiddleware(handler, { path: '/api/token' })));
    const ok = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x' }),
    });
    expect(refused.status).toBe(400);
    expect((await fetch(`${url}/other`, { method: 'POST' })).status).toBe(404);

    const plain = await listen(chain(toNodeMiddleware(handler)));
    expect((await fetch(`${plain}/anything`, { method: 'POST', body: '' })).status).toBe(200);
  });

  it('hands unexpected failures to next(error)', async () => {
    const url = await listen(chain(toNodeMiddleware(() => Promise.reject(new Error('bug')))));
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('boom');
  });
});
