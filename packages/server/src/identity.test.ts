import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from './handler.js';
import { TokenHandlerError } from './errors.js';
import { createHash, createHmac } from 'node:crypto';
import { hashUserId, hmacUserId } from './identity.js';
import type { MintEvent, RejectEvent } from './options.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { outcome, tokenRequest } from './testing/requests.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const cookieAuth = (req: Request) => {
  const user = /session=(\w+)/.exec(req.headers.get('cookie') ?? '')?.[1];
  return user === undefined ? false : { userId: user };
};

describe('authorize', () => {
  it('refuses with 401 unauthorized when the hook says no, before reading the body or calling upstream', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, authorize: cookieAuth });
    expect(await outcome(await handler(tokenRequest('{not json')))).toEqual([401, 'unauthorized']);
    expect(upstream.requests).toHaveLength(0);
    for (const verdict of [null, undefined, false]) {
      const h = createTokenHandler({ upstream: upstream.url, authorize: () => verdict });
      expect(await outcome(await h(tokenRequest({})))).toEqual([401, 'unauthorized']);
    }
  });

  it('lets a hook refuse with its own TokenHandlerError, and maps other throws to 500', async () => {
    const refusing = createTokenHandler({
      upstream: upstream.url,
      authorize: () => {
        throw new TokenHandlerError('forbidden', 'No voice minutes left on your plan.');
      },
    });
    const res = await refusing(tokenRequest({}));
    expect(await res.json()).toEqual({ error: { code: 'forbidden', message: 'No voice minutes left on your plan.' } });
    expect(res.status).toBe(403);
    const buggy = createTokenHandler({ upstream: upstream.url, authorize: () => Promise.reject(new Error('db down')) });
    expect(await outcome(await buggy(tokenRequest({})))).toEqual([500, 'internal_error']);
    const bad = createTokenHandler({ upstream: upstream.url, authorize: () => ({ userId: '' }) });
    expect(await outcome(await bad(tokenRequest({})))).toEqual([500, 'internal_error']);
  });

  it('passes OpenAI-Safety-Identifier = HMAC-SHA256(secret, userId) upstream and the raw user id to onMint', async () => {
    const mints: MintEvent[] = [];
    const secret = 'pepper-pepper-pepper-1234';
    const handler = createTokenHandler({
      upstream: upstream.url,
      authorize: cookieAuth,
      safetyIdentifier: { secret },
      onMint: (e) => void mints.push(e),
    });
    expect((await handler(tokenRequest({}, { cookie: 'session=alice' }))).status).toBe(200);
    const expected = createHmac('sha256', secret).update('alice').digest('hex');
    expect(await hmacUserId('alice', secret)).toBe(expected);
    expect(upstream.requests[0]!.headers['openai-safety-identifier']).toBe(expected);
    expect(JSON.stringify(upstream.requests[0])).not.toContain('alice');
    expect(mints[0]).toMatchObject({ userId: 'alice', model: 'gpt-realtime' });
  });

  it('sends no identifier for anonymous mints or when safetyIdentifier is false', async () => {
    const anon = createTokenHandler({ upstream: upstream.url, authorize: () => true });
    expect((await anon(tokenRequest({}))).status).toBe(200);
    const off = createTokenHandler({ upstream: upstream.url, authorize: cookieAuth, safetyIdentifier: false });
    expect((await off(tokenRequest({}, { cookie: 'session=bob' }))).status).toBe(200);
    for (const r of upstream.requests) expect(r.headers['openai-safety-identifier']).toBeUndefined();
  });

  it('reports refusals to onReject', async () => {
    const rejects: RejectEvent[] = [];
    const handler = createTokenHandler({
      upstream: upstream.url,
      authorize: cookieAuth,
      allowClientOverrides: [],
      onReject: (e) => {
        rejects.push(e);
        throw new Error('ignored');
      },
    });
    await handler(tokenRequest({}));
    await handler(tokenRequest({ voice: 'ash' }, { cookie: 'session=carol' }));
    expect(rejects).toEqual([
      { code: 'unauthorized', status: 401, userId: undefined, ip: 'unknown', origin: undefined },
      { code: 'override_not_allowed', status: 400, userId: 'carol', ip: 'unknown', origin: undefined },
    ]);
  });

  it('sends no identifier by default, even for authorized users (no public default salt)', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, authorize: cookieAuth });
    expect((await handler(tokenRequest({}, { cookie: 'session=dave' }))).status).toBe(200);
    expect(upstream.requests[0]!.headers['openai-safety-identifier']).toBeUndefined();
  });

  it('requires a secret of at least 16 characters for safetyIdentifier, saying how to fix it', () => {
    expect(() => createTokenHandler({ upstream: upstream.url, safetyIdentifier: {} })).toThrowError(/safetyIdentifier.*secret/);
    expect(() => createTokenHandler({ upstream: upstream.url, safetyIdentifier: { secret: 'short' } })).toThrowError(/16 characters/);
    // The deprecated `salt` is the same secret under its old name.
    expect(() => createTokenHandler({ upstream: upstream.url, safetyIdentifier: { salt: 'rtvoice' } })).toThrowError(/16 characters/);
  });

  it('keeps the deprecated hashUserId export: sha256(salt:userId)', async () => {
    expect(await hashUserId('alice', 'pepper')).toBe(createHash('sha256').update('pepper:alice').digest('hex'));
  });
});
