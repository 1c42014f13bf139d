import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenHandler } from './handler.js';
import { TokenHandlerError } from './errors.js';
import { toNodeListener } from './node.js';
import type { TokenLogEntry } from './logger.js';
import { startFakeUpstream, okReply, type FakeReply, type FakeUpstream, type RecordedRequest } from './testing/fake-upstream.js';

/** A key that must never be seen outside the upstream's Authorization header. */
const CANARY = `sk-canary-${Math.random().toString(36).slice(2)}-DO-NOT-LEAK`;

let upstream: FakeUpstream;
let server: Server;
let base: string;
const sinkLines: string[] = [];
const consoleLines: string[] = [];

beforeEach(async () => {
  upstream = await startFakeUpstream();
  sinkLines.length = 0;
  consoleLines.length = 0;
  for (const level of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map(String).join(' '));
    });
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await upstream.close();
});

async function serve(logger: 'json' | ((e: TokenLogEntry) => void), extra: Parameters<typeof createTokenHandler>[0] = {}) {
  const handler = createTokenHandler({ upstream: upstream.url, apiKey: CANARY, logger, timeoutMs: 200, ...extra });
  server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Raw HTTP exchange so every header and byte of the response is seen. */
function exchange(method: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/token`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(`${res.statusCode}\n${JSON.stringify(res.rawHeaders)}\n${Buffer.concat(chunks).toString('utf8')}`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const echoKey = (req: RecordedRequest): string => String(req.headers.authorization ?? '');

const scripts: [string, (req: RecordedRequest) => FakeReply][] = [
  ['success', okReply],
  ['401 quoting the key', (r) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${echoKey(r)}`, code: 'invalid_api_key' } } })],
  ['403', (r) => ({ status: 403, body: { error: { message: echoKey(r) } } })],
  ['429', (r) => ({ status: 429, body: { error: { message: echoKey(r), code: 'rate_limit_exceeded' } }, headers: { 'retry-after': '3' } })],
  ['400', (r) => ({ status: 400, body: { error: { message: echoKey(r), code: 'invalid_value' } } })],
  ['500 as text', (r) => ({ status: 500, text: `upstream exploded with ${echoKey(r)}` })],
  ['200 not JSON', (r) => ({ status: 200, text: echoKey(r) })],
  ['200 echoing the key in the session', (r) => ({ status: 200, body: { value: 'ek_1', expires_at: 1, session: { instructions: echoKey(r) } } })],
  ['200 echoing the key as the value', (r) => ({ status: 200, body: { value: echoKey(r), expires_at: 1, session: {} } })],
  ['timeout', () => ({ status: 200, body: {}, delayMs: 1_000 })],
  ['redirect', () => ({ status: 307, headers: { location: 'http://127.0.0.1:1/steal' }, body: {} })],
];

describe('the API key never leaks (canary)', () => {
  for (const logger of ['json', 'sink'] as const) {
    for (const [name, script] of scripts) {
      it(`${name} (${logger} logger)`, async () => {
        upstream.reply(script);
        await serve(logger === 'json' ? 'json' : (e) => sinkLines.push(JSON.stringify(e)));
        const out = await exchange('POST', '{}', { origin: base });
        expect(out).not.toContain(CANARY);
        expect(out).not.toContain(CANARY.slice(3, 20));
        const lines = [...sinkLines, ...consoleLines];
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(line).not.toContain(CANARY);
        expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY}`);
      });
    }
  }

  it('bad requests, an unreachable upstream and a throwing onMint', async () => {
    await serve('json', { onMint: () => Promise.reject(new Error(`hook saw ${CANARY}`)), maxBodyBytes: 32 });
    const outs = [
      await exchange('POST', '{}'),
      await exchange('GET'),
      await exchange('PUT', '{}'),
      await exchange('POST', '{bad'),
      await exchange('POST', JSON.stringify({ pad: 'x'.repeat(64) })),
      await exchange('POST', JSON.stringify({ model: 'gpt-4o' })),
    ];
    await upstream.close();
    outs.push(await exchange('POST', '{}'));
    upstream = await startFakeUpstream();
    for (const out of outs) expect(out).not.toContain(CANARY);
    for (const line of consoleLines) expect(line).not.toContain(CANARY);
    expect(consoleLines.length).toBeGreaterThanOrEqual(outs.length);
  });

  it('an authorize hook whose error message quotes the key, and onReject', async () => {
    const rejects: string[] = [];
    await serve('json', {
      authorize: () => {
        throw new TokenHandlerError('forbidden', `denied, key was ${CANARY}`);
      },
      onReject: (e) => void rejects.push(JSON.stringify(e)),
    });
    const out = await exchange('POST', '{}');
    expect(out).toMatch(/^500\n/);
    expect(out).not.toContain(CANARY);
    for (const line of [...consoleLines, ...rejects]) expect(line).not.toContain(CANARY);
  });

  it('configuration errors do not quote the key', () => {
    for (const bad of [{ ttlSeconds: 1 }, { upstream: CANARY }, { allowedOrigins: 5 as never }, { session: { voice: 'x' } as never }]) {
      try {
        createTokenHandler({ apiKey: CANARY, ...bad });
        expect.unreachable();
      } catch (error) {
        expect(String(error)).not.toContain(CANARY);
        expect(JSON.stringify(error)).not.toContain(CANARY);
      }
    }
  });

  it('the handler and its options object do not expose the key', () => {
    const handler = createTokenHandler({ upstream: upstream.url, apiKey: CANARY });
    expect(JSON.stringify(Object.entries(handler))).not.toContain(CANARY);
    expect(String(handler)).not.toContain(CANARY);
  });
});
