import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from '../handler.js';
import { MemoryRateLimitStore } from './memory-store.js';
import { startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { tokenRequest } from '../testing/requests.js';

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
});
