import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from './handler.js';
import { isLoopbackHostname, requireSecureUrl } from './hosts.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { outcome, tokenRequest } from './testing/requests.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

/** A same-origin browser request for `host` (the page and the endpoint share it, as after a DNS rebinding). */
const pageOn = (host: string) => tokenRequest({}, { origin: `http://${host}` }, `http://${host}/api/token`);

describe('allowedHosts: DNS rebinding in same-origin mode', () => {
  it('default: a browser on the server machine must address it by a loopback name or an IP', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      // evil.example re-pointed at 127.0.0.1: same origin as far as the browser knows.
      expect(await outcome(await handler(pageOn('evil.example:8787'), { clientIp: peer }))).toEqual([403, 'host_not_allowed']);
    }
    expect(await outcome(await handler(new Request('http://evil.example:8787/api/token', { method: 'OPTIONS', headers: { origin: 'http://evil.example:8787', 'access-control-request-method': 'POST' } }), { clientIp: '127.0.0.1' }))).toEqual([403, 'host_not_allowed']);
    expect(upstream.requests).toHaveLength(0);
    for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787', 'app.localhost:5173', '192.168.1.20:8787']) {
      expect(await outcome(await handler(pageOn(host), { clientIp: '127.0.0.1' }))).toEqual([200, undefined]);
    }
    // Not a loopback peer (a deployed server): the default does not second-guess its host names.
    expect(await outcome(await handler(pageOn('voice.example.com'), { clientIp: '203.0.113.9' }))).toEqual([200, undefined]);
  });

  it('an explicit list is checked for every request (subdomains with a leading dot); "*" turns the check off', async () => {
    const listed = createTokenHandler({ upstream: upstream.url, allowedHosts: ['voice.example.com', '.dev.example'] });
    expect(await outcome(await listed(pageOn('voice.example.com'), { clientIp: '203.0.113.9' }))).toEqual([200, undefined]);
    expect(await outcome(await listed(pageOn('a.dev.example:3000'), { clientIp: '127.0.0.1' }))).toEqual([200, undefined]);
    expect(await outcome(await listed(pageOn('evil.example'), { clientIp: '203.0.113.9' }))).toEqual([403, 'host_not_allowed']);
    expect(await outcome(await listed(tokenRequest({}, {}, 'http://evil.example/api/token')))).toEqual([403, 'host_not_allowed']);
    expect(await outcome(await listed(pageOn('localhost:8787'), { clientIp: '127.0.0.1' }))).toEqual([200, undefined]);
    const open = createTokenHandler({ upstream: upstream.url, allowedHosts: '*' });
    expect(await outcome(await open(pageOn('evil.example:8787'), { clientIp: '127.0.0.1' }))).toEqual([200, undefined]);
  });

  it('checks X-Forwarded-Host behind a trusted proxy', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, trustProxy: 1, allowedHosts: ['voice.example.com'] });
    const via = (host: string) =>
      tokenRequest({}, { origin: `https://${host}`, 'x-forwarded-host': host }, 'http://127.0.0.1:8787/api/token');
    expect(await outcome(await handler(via('voice.example.com'), { clientIp: '127.0.0.1' }))).toEqual([200, undefined]);
    expect(await outcome(await handler(via('evil.example'), { clientIp: '127.0.0.1' }))).toEqual([403, 'host_not_allowed']);
  });

  it('refuses entries that are not host names at creation', () => {
    for (const bad of ['https://voice.example.com', 'voice.example.com:443', 'voice.example.com/api', '']) {
      expect(() => createTokenHandler({ upstream: upstream.url, allowedHosts: [bad] })).toThrowError(/allowedHosts.*not a host name/);
    }
  });
});

describe('https only for URLs that carry a key', () => {
  it('accepts https anywhere and http on loopback only', () => {
    for (const ok of ['https://gateway.example/v1', 'http://localhost:4010/v1', 'http://127.0.0.1:4010/v1', 'http://[::1]:4010/v1']) {
      expect(requireSecureUrl(ok, 'upstream').href).toBe(new URL(ok).href);
    }
    for (const bad of ['http://gateway.example/v1', 'http://10.0.0.5:4010/v1', 'http://localhost.evil.example/v1', 'ws://127.0.0.1/v1']) {
      expect(() => requireSecureUrl(bad, 'upstream')).toThrowError(/"upstream".*https/);
    }
    expect(isLoopbackHostname('127.8.9.10')).toBe(true);
    expect(isLoopbackHostname('127.example')).toBe(false);
  });

  it('refuses an http upstream or callsUrl off loopback at creation, with or without a key', () => {
    const real = { apiKey: 'sk-test', public: true };
    expect(() => createTokenHandler({ ...real, upstream: 'http://gateway.example/v1' })).toThrowError(/"upstream".*https/);
    expect(() => createTokenHandler({ upstream: 'http://10.1.2.3:4010/v1' })).toThrowError(/"upstream".*https/);
    expect(() => createTokenHandler({ upstream: upstream.url, callsUrl: 'http://rtc.example/v1/realtime/calls' })).toThrowError(/"callsUrl".*https/);
    expect(() => createTokenHandler({ ...real, azure: { endpoint: 'http://r.openai.azure.com', deployment: 'gpt-realtime' } })).toThrowError(
      /"azure\.endpoint".*https/,
    );
    expect(() => createTokenHandler({ upstream: upstream.url, callsUrl: 'http://127.0.0.1:9/v1/realtime/calls' })).not.toThrow();
  });
});
