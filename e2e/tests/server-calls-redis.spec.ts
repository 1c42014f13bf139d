import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { RedisCallSlotStore, RedisRateLimitStore } from '@rtvoice/server';
import { startRedis, type RedisChild } from '../../packages/server/src/testing/redis-server.js';
import { recorded, startClient, stopClient } from '../support/client-page.js';
import { startCallServer, type CallServer } from '../support/call-server.js';
import { startSimProcess, type SimProcess } from '../support/sim-process.js';

// (d) Two instances of the call endpoint, sharing one real redis-server for their rate limits and
// call slots, cap concurrent calls per user across both: the user's second call, through the other
// instance, is refused with 429 too_many_calls until the first ends; another user is not affected.

let sim: SimProcess;
let redis: RedisChild;
const clients: Redis[] = [];
const servers: CallServer[] = [];

test.beforeAll(async () => {
  sim = await startSimProcess();
  redis = await startRedis();
  for (let i = 0; i < 2; i += 1) {
    const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(client);
    servers.push(
      await startCallServer(sim.url, {
        handler: {
          // The page says who it is; a real app reads its own session cookie here.
          authorize: (request) => ({ userId: request.headers.get('x-user') ?? 'anonymous' }),
          maxConcurrentCallsPerUser: 1,
          rateLimit: { store: new RedisRateLimitStore({ client }) },
          callSlots: new RedisCallSlotStore({ client }),
        },
      }),
    );
  }
});
test.afterAll(async () => {
  for (const s of servers) await s.close();
  for (const c of clients) c.disconnect();
  await redis?.stop();
  await sim?.stop();
});

test('(d) one redis-server caps concurrent calls per user across two instances', async ({ browser }) => {
  const [one, two] = servers as [CallServer, CallServer];
  const pageA = await browser.newPage();
  const pageB = await browser.newPage();
  const pageC = await browser.newPage();
  try {
    await startClient(pageA, one.url, { callUrl: '/api/call', muted: true, requestHeaders: { 'x-user': 'u1' }, reconnect: false });
    expect((await recorded(pageA)).connectError).toBeNull();

    // The same user through the other instance: refused, typed, nothing left open.
    await startClient(pageB, two.url, { callUrl: '/api/call', muted: true, requestHeaders: { 'x-user': 'u1' }, reconnect: false });
    const refused = (await recorded(pageB)).connectError;
    expect(refused).toMatchObject({ code: 'sdp_rejected', status: 429 });
    expect(refused!.message).toContain('Too many voice calls at once'); // the endpoint's too_many_calls message
    await expect.poll(async () => (await recorded(pageB)).openedMicStates).toEqual(['ended']);

    // Another user is not affected.
    await startClient(pageC, two.url, { callUrl: '/api/call', muted: true, requestHeaders: { 'x-user': 'u2' }, reconnect: false });
    expect((await recorded(pageC)).connectError).toBeNull();

    // The first call ends: its slot is freed in redis, and the user may call through the other instance.
    await stopClient(pageA);
    await expect.poll(() => one.events.some((e) => e.type === 'call.ended'), { timeout: 10_000 }).toBe(true);
    await startClient(pageB, two.url, { callUrl: '/api/call', muted: true, requestHeaders: { 'x-user': 'u1' }, reconnect: false });
    expect((await recorded(pageB)).connectError).toBeNull();
    expect((await recorded(pageB)).states).toEqual(['connecting', 'connected']);
    await stopClient(pageB);
    await stopClient(pageC);
  } finally {
    await pageA.close();
    await pageB.close();
    await pageC.close();
  }
});
