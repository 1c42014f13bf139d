import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisRateLimitStore } from './redis-store.js';
import { createRateCheck } from './limiter.js';
import { startRedis, type RedisChild } from '../testing/redis-server.js';

let redis: RedisChild;
const clients: Redis[] = [];
const connect = () => {
  const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await redis?.stop();
});

describe('RedisRateLimitStore (real redis-server)', () => {
  it('is exact under concurrency across two clients', async () => {
    const a = new RedisRateLimitStore({ client: connect(), prefix: 'exact:' });
    const b = new RedisRateLimitStore({ client: connect(), prefix: 'exact:' });
    const rule = { burst: 25, perMinute: 1 };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).take('ip:1.2.3.4', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(175);
    for (const r of refused) expect(r.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('refills with the Redis clock and expires idle buckets', async () => {
    const client = connect();
    const store = new RedisRateLimitStore({ client, prefix: 'refill:' });
    const rule = { burst: 1, perMinute: 600 }; // one token per 100 ms
    expect((await store.take('k', rule)).allowed).toBe(true);
    const refused = await store.take('k', rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await store.take('k', rule)).allowed).toBe(true);
    const ttl = await client.pttl('refill:k');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_100);
  });

  it('falls back to EVAL after SCRIPT FLUSH (NOSCRIPT)', async () => {
    const client = connect();
    const store = new RedisRateLimitStore({ client, prefix: 'flush:' });
    expect((await store.take('k', { burst: 2, perMinute: 1 })).allowed).toBe(true);
    await client.script('FLUSH');
    expect((await store.take('k', { burst: 2, perMinute: 1 })).allowed).toBe(true);
    expect((await store.take('k', { burst: 2, perMinute: 1 })).allowed).toBe(false);
  });

  it('fails closed with 503 when Redis is unreachable, or open when asked', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    clients.push(dead);
    const store = new RedisRateLimitStore({ client: dead });
    await expect(store.take('k', { burst: 1, perMinute: 1 })).rejects.toBeDefined();
    await expect(createRateCheck({ store })('ip', '1.1.1.1')).rejects.toMatchObject({ code: 'rate_limiter_unavailable', status: 503 });
    await expect(createRateCheck({ store, failOpen: true })('ip', '1.1.1.1')).resolves.toBeUndefined();
  });

  it('the Redis test helper fails (never skips) when redis-server cannot start', async () => {
    await expect(startRedis(2_000, '/nonexistent/redis-server')).rejects.toThrow(/could not start|exited/);
  });
});
