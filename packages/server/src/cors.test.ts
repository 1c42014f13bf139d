import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from './handler.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { outcome, tokenRequest } from './testing/requests.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const preflight = (origin: string, url = 'http://app.test/api/token') =>
  new Request(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

describe('default: same origin only', () => {
  it('allows the page origin of the same host (any scheme) and requests without Origin', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    expect(await outcome(await handler(tokenRequest({}, { origin: 'http://app.test' })))).toEqual([200, undefined]);
    expect(await outcome(await handler(tokenRequest({}, { origin: 'https://app.test' })))).toEqual([200, undefined]);
    expect(await outcome(await handler(tokenRequest({})))).toEqual([200, undefined]);
  });

  it('refuses another origin with 403 before calling upstream', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    for (const origin of ['https://evil.test', 'http://app.test:8080', 'null', 'http://sub.app.test']) {
      const res = await handler(tokenRequest({}, { origin }));
      expect(await outcome(res)).toEqual([403, 'origin_not_allowed']);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(await outcome(await handler(preflight('https://evil.test')))).toEqual([403, 'origin_not_allowed']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('uses X-Forwarded-Host only when trustProxy is set', async () => {
    const fwd = { origin: 'https://public.example', 'x-forwarded-host': 'public.example' };
    const strict = createTokenHandler({ upstream: upstream.url });
    expect((await strict(tokenRequest({}, fwd, 'http://10.0.0.5:8080/api/token'))).status).toBe(403);
    const proxied = createTokenHandler({ upstream: upstream.url, trustProxy: true });
    expect((await proxied(tokenRequest({}, fwd, 'http://10.0.0.5:8080/api/token'))).status).toBe(200);
  });
});

describe('allowedOrigins', () => {
  it('allows listed origins exactly, with CORS headers, and answers preflight', async () => {
    const handler = createTokenHandler({
      upstream: upstream.url,
      allowedOrigins: ['https://shop.example/', 'https://www.shop.example'],
      cors: { credentials: true, maxAgeSeconds: 60, allowHeaders: ['authorization', 'x-csrf-token'] },
    });
    const pre = await handler(preflight('https://shop.example'));
    expect(pre.status).toBe(204);
    expect(Object.fromEntries(pre.headers)).toMatchObject({
      'access-control-allow-origin': 'https://shop.example',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization, x-csrf-token',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '60',
      vary: 'Origin',
    });
    expect(await pre.text()).toBe('');
    const res = await handler(tokenRequest({}, { origin: 'https://www.shop.example' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(res.headers.get('vary')).toBe('Origin');
    expect((await handler(tokenRequest({}, { origin: 'https://shop.example.evil.test' }))).status).toBe(403);
    expect((await handler(tokenRequest({}, { origin: 'http://shop.example' }))).status).toBe(403);
    // Error responses to allowed origins carry CORS headers so the browser can read the error.
    const err = await handler(tokenRequest({ voice: 'ash' }, { origin: 'https://shop.example' }));
    expect(err.status).toBe(400);
    expect(err.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('accepts "*" and a predicate', async () => {
    const any = createTokenHandler({ upstream: upstream.url, allowedOrigins: '*' });
    expect((await any(tokenRequest({}, { origin: 'https://anything.test' }))).status).toBe(200);
    const fn = createTokenHandler({ upstream: upstream.url, allowedOrigins: (o) => o.endsWith('.good.test') });
    expect((await fn(tokenRequest({}, { origin: 'https://a.good.test' }))).status).toBe(200);
    expect((await fn(tokenRequest({}, { origin: 'https://bad.test' }))).status).toBe(403);
  });

  it('answers a plain OPTIONS (no preflight) with 204 and Allow', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const res = await handler(new Request('http://app.test/api/token', { method: 'OPTIONS' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('credentials and the null origin', () => {
  it('refuses allowedOrigins "*" with cors.credentials true at creation, saying what to do', () => {
    let caught: unknown;
    try {
      createTokenHandler({ upstream: upstream.url, allowedOrigins: '*', cors: { credentials: true } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'invalid_options', message: expect.stringMatching(/credentials.*List the origins/s) });
    expect(() => createTokenHandler({ upstream: upstream.url, allowedOrigins: ['https://a.example'], cors: { credentials: true } })).not.toThrow();
  });

  it('never allows or echoes Origin: null, whatever allowedOrigins says', async () => {
    for (const allowedOrigins of ['*', () => true, ['null', 'https://a.example']] as const) {
      const handler = createTokenHandler({ upstream: upstream.url, allowedOrigins });
      for (const req of [tokenRequest({}, { origin: 'null' }), preflight('null')]) {
        const res = await handler(req);
        expect(await outcome(res)).toEqual([403, 'origin_not_allowed']);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
    expect(upstream.requests).toHaveLength(0);
  });
});
