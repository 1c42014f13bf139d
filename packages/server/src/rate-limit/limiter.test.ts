import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenHandler } from '../handler.js';
import { MemoryRateLimitStore } from './memory-store.js';
import { startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { outcome, tokenRequest } from '../testing/requests.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const fromIp = (ip: string) => ({ clientIp: ip });

describe('rate limits through the handler', () => {
  it('limits per IP by default (20 burst, 10 per minute) with Retry-After on 429', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const statuses = [];
    for (let i = 0; i < 22; i += 1) statuses.push((await handler(tokenRequest({}), fromIp('1.1.1.1'))).status);
    expect(statuses).toEqual([...Array(20).fill(200), 429, 429]);
    const res = await handler(tokenRequest({}), fromIp('1.1.1.1'));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(6);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await handler(tokenRequest({}), fromIp('2.2.2.2'))).status).toBe(200);
    expect(upstream.requests).toHaveLength(21);
  });

  it('limits per user across IPs, and the limit is exact under concurrency', async () => {
    const handler = createTokenHandler({
      upstream: upstream.url,
      authorize: (req) => ({ userId: req.headers.get('x-user') ?? 'anon' }),
      rateLimit: { perIp: false, perUser: { burst: 4, perMinute: 1 } },
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => handler(tokenRequest({}, { 'x-user': 'dana' }), fromIp(`10.0.0.${i}`))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(results.filter((r) => r.status === 429)).toHaveLength(26);
    for (const r of results.filter((x) => x.status === 429)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(40);
    expect((await handler(tokenRequest({}, { 'x-user': 'erin' }), fromIp('10.0.0.1'))).status).toBe(200);
  });

  it('uses a given store, refills over time, and can be turned off', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now });
    const handler = createTokenHandler({ upstream: upstream.url, rateLimit: { store, perIp: { burst: 1, perMinute: 2 } } });
    expect((await handler(tokenRequest({}), fromIp('3.3.3.3'))).status).toBe(200);
    const refused = await handler(tokenRequest({}), fromIp('3.3.3.3'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    now = 30_000;
    expect((await handler(tokenRequest({}), fromIp('3.3.3.3'))).status).toBe(200);
    const off = createTokenHandler({ upstream: upstream.url, rateLimit: false });
    for (let i = 0; i < 25; i += 1) expect((await off(tokenRequest({}), fromIp('4.4.4.4'))).status).toBe(200);
  });

  it('does not spend tokens on refused origins or wrong methods', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, rateLimit: { perIp: { burst: 1, perMinute: 1 } } });
    await handler(new Request('http://app.test/', { method: 'GET' }), fromIp('5.5.5.5'));
    await handler(tokenRequest({}, { origin: 'https://evil.test' }), fromIp('5.5.5.5'));
    expect((await handler(tokenRequest({}), fromIp('5.5.5.5'))).status).toBe(200);
  });

  it('validates rules at creation', () => {
    expect(() => createTokenHandler({ upstream: upstream.url, rateLimit: { perIp: { burst: 0, perMinute: 1 } } })).toThrowError(
      /rateLimit\.perIp/,
    );
    expect(() => createTokenHandler({ upstream: upstream.url, rateLimit: { store: {} as never } })).toThrowError(/rateLimit\.store/);
  });

  it('keys IPv6 clients by /64 by default, by ipv6Prefix when set, and mapped IPv4 as IPv4', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, rateLimit: { perIp: { burst: 1, perMinute: 1 } } });
    expect((await handler(tokenRequest({}), fromIp('2001:db8:1:2::1'))).status).toBe(200);
    // Another address of the same /64 (a client rotating its interface id) shares the bucket.
    expect((await handler(tokenRequest({}), fromIp('2001:db8:1:2:ffff:1:2:3'))).status).toBe(429);
    expect((await handler(tokenRequest({}), fromIp('2001:db8:1:3::1'))).status).toBe(200);
    expect((await handler(tokenRequest({}), fromIp('198.51.100.1'))).status).toBe(200);
    expect((await handler(tokenRequest({}), fromIp('::ffff:198.51.100.1'))).status).toBe(429);
    const exact = createTokenHandler({ upstream: upstream.url, rateLimit: { perIp: { burst: 1, perMinute: 1 }, ipv6Prefix: 128 } });
    expect((await exact(tokenRequest({}), fromIp('2001:db8:1:2::1'))).status).toBe(200);
    expect((await exact(tokenRequest({}), fromIp('2001:db8:1:2::2'))).status).toBe(200);
    for (const ipv6Prefix of [47, 129, 64.5]) {
      expect(() => createTokenHandler({ upstream: upstream.url, rateLimit: { ipv6Prefix } })).toThrowError(/rateLimit\.ipv6Prefix/);
    }
  });

  it('treats a store that does not answer within storeTimeoutMs (default 300 ms) as failed: fast 503, or open', async () => {
    // Fake timers: the store's deadline is checked to the millisecond, without reading the clock.
    let taken = 0;
    const hanging = { take: () => ((taken += 1), new Promise<never>(() => {})) };
    /** Resolves `call()` once the store was asked, letting `ms - 1` then 1 more fake millisecond pass. */
    const deadline = async (call: () => Promise<Response>, ms: number) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const before = taken;
        let settled = false;
        const pending = call().finally(() => (settled = true));
        // The request is read (real I/O) before the store is asked; the store's timer is set just before.
        for (let i = 0; i < 10_000 && taken === before; i += 1) await new Promise((r) => setImmediate(r));
        expect(taken).toBe(before + 1);
        await vi.advanceTimersByTimeAsync(ms - 1);
        expect(settled).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        return await pending;
      } finally {
        vi.useRealTimers();
      }
    };
    const handler = createTokenHandler({ upstream: upstream.url, rateLimit: { store: hanging } });
    const res = await deadline(() => handler(tokenRequest({}), fromIp('6.6.6.6')), 300);
    expect(await outcome(res)).toEqual([503, 'rate_limiter_unavailable']);
    expect(res.headers.get('retry-after')).toBe('1');
    const quick = createTokenHandler({ upstream: upstream.url, rateLimit: { store: hanging, storeTimeoutMs: 20 } });
    expect(await outcome(await deadline(() => quick(tokenRequest({}), fromIp('6.6.6.6')), 20))).toEqual([503, 'rate_limiter_unavailable']);
    const open = createTokenHandler({ upstream: upstream.url, rateLimit: { store: hanging, storeTimeoutMs: 20, failOpen: true } });
    expect(await outcome(await open(tokenRequest({}), fromIp('6.6.6.6')))).toEqual([200, undefined]);
    expect(upstream.requests).toHaveLength(1);
    expect(() => createTokenHandler({ upstream: upstream.url, rateLimit: { storeTimeoutMs: 5 } })).toThrowError(/storeTimeoutMs/);
  });
});
