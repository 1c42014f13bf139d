/**
 * Call slots: the memory store, the Redis store on a real `redis-server` (started for the test;
 * the test fails, never skips, when it cannot start), and two call endpoints sharing one cap.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectTestClient } from '@rtvoice/sim/testing';
import { toNodeListener } from '../node.js';
import { startRedis, type RedisChild } from '../testing/redis-server.js';
import { startCallStack } from '../testing/call-stack.js';
import { FAKE_OFFER } from '../testing/fake-calls-upstream.js';
import { createCallHandler } from './call-handler.js';
import { MemoryCallSlotStore, RedisCallSlotStore } from './concurrency.js';
import { RedisRateLimitStore } from '../rate-limit/redis-store.js';

describe('MemoryCallSlotStore', () => {
  it('grants up to the limit, refreshes, releases, and frees expired slots', async () => {
    let now = 0;
    const store = new MemoryCallSlotStore({ now: () => now });
    expect(await store.acquire('u', 'a', 2, 1000)).toEqual({ acquired: true, active: 1 });
    expect(await store.acquire('u', 'b', 2, 1000)).toEqual({ acquired: true, active: 2 });
    expect(await store.acquire('u', 'c', 2, 1000)).toEqual({ acquired: false, active: 2 });
    expect(await store.acquire('u', 'a', 2, 1000)).toEqual({ acquired: true, active: 2 }); // a holder re-acquiring
    now = 900;
    expect(await store.refresh('u', 'a', 1000)).toBe(true);
    now = 1500; // b expired (its instance crashed), a was refreshed
    expect(await store.refresh('u', 'b', 1000)).toBe(false);
    expect(await store.acquire('u', 'c', 2, 1000)).toEqual({ acquired: true, active: 2 });
    await store.release('u', 'a');
    await store.release('u', 'a');
    expect(store.active('u')).toBe(1);
  });
});

describe('RedisCallSlotStore (real redis-server)', () => {
  let redis: RedisChild;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
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

  it('is exact under concurrency across two clients, and frees slots by release or expiry', async () => {
    const a = new RedisCallSlotStore({ client: connect(), prefix: 'exact:' });
    const b = new RedisCallSlotStore({ client: connect(), prefix: 'exact:' });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).acquire('user:x', `h${i}`, 3, 60_000)));
    expect(results.filter((r) => r.acquired)).toHaveLength(3);
    const holders = results.flatMap((r, i) => (r.acquired ? [`h${i}`] : []));
    await a.release('user:x', holders[0]!);
    expect((await b.acquire('user:x', 'late', 3, 60_000)).acquired).toBe(true);
    expect(await a.refresh('user:x', 'late', 60_000)).toBe(true);
    expect(await a.refresh('user:x', 'never', 60_000)).toBe(false);

    const short = new RedisCallSlotStore({ client: connect(), prefix: 'ttl:' });
    expect((await short.acquire('user:y', 'crashed', 1, 150)).acquired).toBe(true);
    expect((await short.acquire('user:y', 'next', 1, 150)).acquired).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect((await short.acquire('user:y', 'next', 1, 5000)).acquired).toBe(true);
    const client = clients.at(-1)!;
    const ttl = await client.pttl('ttl:user:y');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    await client.script('FLUSH');
    expect(await short.refresh('user:y', 'next', 5000)).toBe(true); // NOSCRIPT → EVAL
  });

  it('caps one user across two call endpoints sharing Redis (rate limits and slots on one client)', async () => {
    const stack = await startCallStack({ controller: {}, handler: {} });
    try {
      const client = connect();
      const options = {
        upstream: `${stack.sim.url}/v1`,
        apiKey: 'sk-test-shared',
        controller: stack.controller!,
        authorize: () => ({ userId: 'shared-user' }),
        maxConcurrentCallsPerUser: 1,
        rateLimit: { store: new RedisRateLimitStore({ client, prefix: 'rl:' }) },
        callSlots: new RedisCallSlotStore({ client, prefix: 'calls:' }),
      };
      const first = createCallHandler(options);
      const second = createCallHandler(options);
      // A real call through the first endpoint…
      const server = createServer(toNodeListener(first));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const browser = await connectTestClient(stack.sim.url, { callUrl: `http://127.0.0.1:${port}/api/call`, noAudio: true });
      try {
        // …holds the user's only slot on the second one too.
        const refused = await second(new Request('http://app.test/api/call', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: FAKE_OFFER }));
        expect(refused.status).toBe(429);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_calls');
        expect(await client.keys('calls:*')).toHaveLength(1);
        // The call ends: the slot is freed in Redis (same connection, so in order).
        await stack.controller!.close();
        expect(await client.zcard((await client.keys('calls:*'))[0] ?? 'none')).toBe(0);
      } finally {
        browser.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      await stack.close();
    }
  }, 30_000);
});
