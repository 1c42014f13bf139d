/**
 * Integration: two handler instances (two Node servers, two Redis connections) behind a
 * pretend load balancer share one per-IP and one per-user limit through a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createTokenHandler } from './handler.js';
import { toNodeListener } from './node.js';
import { RedisRateLimitStore } from './rate-limit/redis-store.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { startRedis, type RedisChild } from './testing/redis-server.js';

let redis: RedisChild;
let upstream: FakeUpstream;
const clients: Redis[] = [];
const servers: Server[] = [];
const urls: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startFakeUpstream();
  for (let i = 0; i < 2; i += 1) {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    const handler = createTokenHandler({
      upstream: upstream.url,
      trustProxy: true,
      authorize: (req) => {
        const user = req.headers.get('x-user');
        return user ? { userId: user } : true;
      },
      rateLimit: {
        store: new RedisRateLimitStore({ client, prefix: 'shared:' }),
        perIp: { burst: 12, perMinute: 1 },
        perUser: { burst: 5, perMinute: 1 },
      },
    });
    const server = createServer(toNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await upstream?.close();
  await redis?.stop();
});

const mint = (i: number, headers: Record<string, string>) =>
  fetch(`${urls[i % 2]}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

describe('two instances, one Redis', () => {
  it('share one per-IP limit exactly under concurrency', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => mint(i, { 'x-forwarded-for': '198.51.100.1' })));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(12);
    expect(limited).toHaveLength(48);
    for (const r of limited) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    }
    // Both instances served some of the successes: the limit really is shared.
    const okPorts = new Set(ok.map((r) => new URL(r.url).port));
    expect(okPorts.size).toBe(2);
    // Another IP is unaffected.
    expect((await mint(0, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
  });

  it('share one per-user limit across IPs and instances', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => mint(i, { 'x-forwarded-for': `203.0.113.${i}`, 'x-user': 'grace' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    const keys = await clients[0]!.keys('shared:user:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('grace');
  });
});
