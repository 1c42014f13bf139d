import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenHandler } from './handler.js';
import type { TokenLogEntry } from './logger.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { tokenRequest } from './testing/requests.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await upstream.close();
});

describe('logging', () => {
  it('writes one structured entry per request outcome', async () => {
    const entries: TokenLogEntry[] = [];
    const handler = createTokenHandler({
      upstream: upstream.url,
      logger: (e) => entries.push(e),
      authorize: () => ({ userId: 'frank' }),
    });
    await handler(tokenRequest({}, { origin: 'http://app.test' }), { clientIp: '9.9.9.9' });
    await handler(tokenRequest({ voice: 'ash' }), { clientIp: '9.9.9.9' });
    upstream.reply(() => ({ status: 429, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } } }));
    await handler(tokenRequest({}), { clientIp: '9.9.9.9' });
    expect(entries).toHaveLength(3);
    expect(entries[0]).toEqual({
      time: expect.any(String),
      level: 'info',
      event: 'token.minted',
      status: 200,
      ip: '9.9.9.9',
      origin: 'http://app.test',
      user: expect.stringMatching(/^sha256:[0-9a-f]{32}$/),
      model: 'gpt-realtime',
      expiresAt: expect.any(Number),
      durationMs: expect.any(Number),
      upstreamMs: expect.any(Number),
    });
    expect(entries[1]).toMatchObject({ level: 'warn', event: 'token.rejected', status: 400, code: 'override_not_allowed' });
    expect(entries[2]).toMatchObject({
      level: 'error',
      event: 'token.failed',
      status: 503,
      code: 'upstream_unavailable',
      upstreamStatus: 429,
      upstreamCode: 'rate_limit_exceeded',
    });
    expect(JSON.stringify(entries)).not.toContain('frank');
    expect(JSON.stringify(entries)).not.toContain('ek_');
  });

  it('is silent by default and prints JSON lines with "json"', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await createTokenHandler({ upstream: upstream.url })(tokenRequest({}));
    expect(log).not.toHaveBeenCalled();
    const json = createTokenHandler({ upstream: upstream.url, logger: 'json' });
    await json(tokenRequest({}));
    await json(new Request('http://app.test/', { method: 'DELETE' }));
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ event: 'token.minted' });
    expect(JSON.parse(String(error.mock.calls[0]![0]))).toMatchObject({ event: 'token.rejected', code: 'method_not_allowed' });
  });

  it('survives a throwing sink', async () => {
    const handler = createTokenHandler({
      upstream: upstream.url,
      logger: () => {
        throw new Error('disk full');
      },
    });
    expect((await handler(tokenRequest({}))).status).toBe(200);
  });
});
