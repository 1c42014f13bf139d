/**
 * Load (short form; the full one is `pnpm bench`): the token and call handlers behind node:http
 * under a bounded loopback load from autocannon (why autocannon: a well-kept HTTP load generator
 * with exact per-status counts, instead of a hand-written client pool). The rate limit holds
 * exactly whatever the concurrency (one client IP: `burst` allowed, plus the refill over the run,
 * every other request 429), alone and as two instances sharing a redis-server; and nothing else
 * fails: no 5xx, no socket error, no timeout.
 */
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallHandler } from './calls/call-handler.js';
import { createTokenHandler } from './handler.js';
import { toNodeListener } from './node.js';
import { RedisRateLimitStore } from './rate-limit/redis-store.js';
import { FAKE_OFFER, startFakeCallsUpstream, type FakeCallsUpstream } from './testing/fake-calls-upstream.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { startRedis, type RedisChild } from './testing/redis-server.js';

const KEY = 'sk-load-canary-3e8a1f6c2d9b7054';
/** The short form; `pnpm bench` runs the full one (LOAD_SECONDS=20, LOAD_CONNECTIONS=64). */
const DURATION_S = Number(process.env.LOAD_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const LIMIT_MS = 30_000 + DURATION_S * 2000;
const RULE = { burst: 40, perMinute: 60 }; // one more request allowed per second

let tokens: FakeUpstream;
let calls: FakeCallsUpstream;
let redis: RedisChild;
const servers: Server[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  tokens = await startFakeUpstream();
  calls = await startFakeCallsUpstream();
  redis = await startRedis();
});
/** What each case measured; written to BENCH_JSON when set (`pnpm bench` reports it). */
const measured: Record<string, unknown> = {};

afterAll(async () => {
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ seconds: DURATION_S, connections: CONNECTIONS, rule: RULE, measured }, null, 2));
  for (const s of servers) await new Promise((r) => (s.closeAllConnections(), s.close(r)));
  for (const c of clients) c.disconnect();
  await redis?.stop();
  await tokens?.close();
  await calls?.close();
});

async function serve(listener: ReturnType<typeof toNodeListener>): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `connections` concurrent clients hammering `url` for DURATION_S; the counts by status. */
async function load(url: string, body: string, contentType: string, connections = CONNECTIONS) {
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
    connections,
    duration: DURATION_S,
    timeout: 5,
  });
  const limited = result.statusCodeStats?.['429' as keyof typeof result.statusCodeStats]?.count ?? 0;
  return { ok: result['2xx'], limited, other: result.non2xx - limited, errors: result.errors, timeouts: result.timeouts, total: result.requests.total };
}

/** Allowed under RULE during a run: the burst, plus what refills while it runs (one per second), plus one for the boundaries. */
const allowedRange = (seconds: number) => [RULE.burst, RULE.burst + Math.ceil((seconds * RULE.perMinute) / 60) + 1] as const;

type LoadResult = Awaited<ReturnType<typeof load>>;

/** The runs together allowed exactly what RULE allows over the run, and nothing but 2xx and 429 came back. */
function expectExactLimit(...runs: LoadResult[]): void {
  const [min, max] = allowedRange(DURATION_S + 1);
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  expect(ok).toBeGreaterThanOrEqual(min);
  expect(ok).toBeLessThanOrEqual(max);
  for (const r of runs) expect({ other: r.other, errors: r.errors, timeouts: r.timeouts }).toEqual({ other: 0, errors: 0, timeouts: 0 });
}

describe('bounded loopback load', () => {
  it('the token handler alone: the per-IP limit is exact, nothing else fails', async () => {
    const url = await serve(toNodeListener(createTokenHandler({ upstream: tokens.url, apiKey: KEY, public: true, rateLimit: { perIp: RULE } })));
    const r = await load(url, '{}', 'application/json');
    measured.token = r;
    expect(r.total).toBeGreaterThan(300);
    expectExactLimit(r);
    expect(r.ok + r.limited).toBe(r.total);
  }, LIMIT_MS);

  it('two token handlers sharing one redis-server: the limit holds across both, nothing else fails', async () => {
    const handler = () => {
      const client = new Redis(redis.url);
      clients.push(client);
      return toNodeListener(createTokenHandler({ upstream: tokens.url, apiKey: KEY, public: true, rateLimit: { perIp: RULE, store: new RedisRateLimitStore({ client, prefix: 'load:' }) } }));
    };
    const [a, b] = await Promise.all([serve(handler()), serve(handler())]);
    const [ra, rb] = await Promise.all([load(a, '{}', 'application/json', CONNECTIONS / 2), load(b, '{}', 'application/json', CONNECTIONS / 2)]);
    measured.tokenTwoInstancesRedis = [ra, rb];
    expectExactLimit(ra, rb);
  }, LIMIT_MS);

  it('the call handler alone: the per-IP limit is exact, nothing else fails', async () => {
    const url = await serve(toNodeListener(createCallHandler({ upstream: calls.url, apiKey: KEY, public: true, rateLimit: { perIp: RULE } })));
    const r = await load(url, FAKE_OFFER, 'application/sdp');
    measured.call = r;
    expect(r.total).toBeGreaterThan(300);
    expectExactLimit(r);
  }, LIMIT_MS);
});
