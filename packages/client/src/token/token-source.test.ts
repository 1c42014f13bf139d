// @vitest-environment happy-dom
/*
 * Getting the ephemeral key: the request to the app's token endpoint
 * (`tokenRequest`), the shapes of answer accepted, errors, and the rule that a
 * key only goes to an https: calls URL (http: on loopback only).
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeTransport } from '../testing/fake-transport.js';
import { VoiceSession } from '../session/voice-session.js';
import { installMicrophone } from '../../test/harness.js';
import { OPENAI_CALLS_URL, checkCallsUrl, fetchToken, isTokenFresh, resolveProvidedToken } from './token-source.js';

const signal = () => new AbortController().signal;

function endpoint(body: unknown, init: ResponseInit & { url?: string } = {}) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => {
    const res = new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200, ...init });
    if (init.url) Object.defineProperty(res, 'url', { value: init.url });
    return res;
  });
}

const FALLBACK = 'https://fallback.test/v1/realtime/calls';

describe('the token request', () => {
  it('POSTs the body as JSON with the given headers and credentials', async () => {
    const fetch = endpoint({ value: 'ek_1' });
    await fetchToken('/api/token', { body: { voice: 'marin' }, headers: { Authorization: 'Bearer user-session' }, credentials: 'include' }, FALLBACK, signal(), fetch as never);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/token');
    expect(init).toMatchObject({ method: 'POST', credentials: 'include', body: '{"voice":"marin"}' });
    expect(init!.headers).toEqual({ 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer user-session' });
  });

  it('defaults to an empty JSON body and same-origin credentials', async () => {
    const fetch = endpoint({ value: 'ek_1' });
    await fetchToken('/api/token', {}, FALLBACK, signal(), fetch as never);
    expect(fetch.mock.calls[0]![1]).toMatchObject({ body: '{}', credentials: 'same-origin' });
  });

  it('is made from the session options (tokenRequest) at connect()', async () => {
    installMicrophone();
    const fetch = endpoint({ value: 'ek_1', calls_url: 'https://rt.test/calls' });
    const fake = new FakeTransport();
    const session = new VoiceSession({
      tokenUrl: 'https://app.test/api/token',
      tokenRequest: { body: { room: 7 }, headers: { 'X-CSRF': 'abc' }, credentials: 'include' },
      fetch: fetch as never,
      transport: () => fake,
      audioElement: { play: async () => undefined, pause() {} } as unknown as HTMLAudioElement,
    });
    await session.connect();
    expect(fetch.mock.calls[0]![0]).toBe('https://app.test/api/token');
    expect(fetch.mock.calls[0]![1]).toMatchObject({ body: '{"room":7}', credentials: 'include', headers: expect.objectContaining({ 'X-CSRF': 'abc' }) });
    expect(fake.connectParams).toMatchObject({ callsUrl: 'https://rt.test/calls', ephemeralKey: 'ek_1' });
    await session.disconnect();
  });
});

describe('the answer', () => {
  it('reads @rtvoice/server’s shape: value, expires_at, calls_url', async () => {
    const token = await fetchToken('/t', {}, FALLBACK, signal(), endpoint({ value: 'ek_1', expires_at: 1_900_000_000, calls_url: 'https://rt.test/v1/realtime/calls' }) as never);
    expect(token).toEqual({ value: 'ek_1', expiresAt: 1_900_000_000, callsUrl: 'https://rt.test/v1/realtime/calls' });
  });

  it('falls back to the configured calls URL when the answer has none', async () => {
    const token = await fetchToken('/t', {}, FALLBACK, signal(), endpoint({ value: 'ek_2' }) as never);
    expect(token).toEqual({ value: 'ek_2', callsUrl: FALLBACK });
  });

  it('resolves a relative calls_url against the token endpoint', async () => {
    const fetch = endpoint({ value: 'ek_1', calls_url: '/v1/realtime/calls' }, { url: 'https://app.test/api/token' });
    const token = await fetchToken('/api/token', {}, FALLBACK, signal(), fetch as never);
    expect(token.callsUrl).toBe('https://app.test/v1/realtime/calls');
  });

  it('refuses an answer without a key', async () => {
    await expect(fetchToken('/t', {}, FALLBACK, signal(), endpoint({ expires_at: 1 }) as never)).rejects.toMatchObject({ code: 'token_fetch_failed', retryable: false });
    await expect(fetchToken('/t', {}, FALLBACK, signal(), endpoint('<html>') as never)).rejects.toMatchObject({ code: 'token_fetch_failed' });
  });

  it('reports an error status with the endpoint’s code and message, redacting keys, and Retry-After', async () => {
    const fetch = endpoint({ error: { code: 'rate_limited', message: 'Key ek_abc123secret refused, slow down' } }, { status: 429, headers: { 'Retry-After': '12' } });
    const error = await fetchToken('/t', {}, FALLBACK, signal(), fetch as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_fetch_failed', status: 429, retryable: true, retryAfterMs: 12_000 });
    expect((error as Error).message).toContain('429 (rate_limited)');
    expect((error as Error).message).toContain('slow down');
    expect((error as Error).message).not.toContain('ek_abc123secret');
  });

  it('does not retry a client error', async () => {
    await expect(fetchToken('/t', {}, FALLBACK, signal(), endpoint({}, { status: 403 }) as never)).rejects.toMatchObject({ code: 'token_fetch_failed', status: 403, retryable: false });
  });

  it('reports an unreachable endpoint as token_fetch_failed, and an aborted request as aborted', async () => {
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchToken('/t', {}, FALLBACK, signal(), down as never)).rejects.toMatchObject({ code: 'token_fetch_failed', cause: expect.any(TypeError) });
    const controller = new AbortController();
    controller.abort();
    await expect(fetchToken('/t', {}, FALLBACK, controller.signal, down as never)).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('where the key may go', () => {
  it.each([
    ['https://api.openai.com/v1/realtime/calls'],
    ['http://localhost:8080/v1/realtime/calls'],
    ['http://127.0.0.1:4010/v1/realtime/calls'],
    ['http://[::1]:4010/v1/realtime/calls'],
  ])('accepts %s', (callsUrl) => {
    expect(checkCallsUrl({ value: 'ek_1', callsUrl }).callsUrl).toBe(callsUrl);
  });

  it.each([
    ['plain http to another host', 'http://sim.test/v1/realtime/calls'],
    ['http to a host that only starts like localhost', 'http://localhost.evil.test/calls'],
    ['http to a host that only starts like 127.0.0.1', 'http://127.0.0.1.evil.test/calls'],
    ['another scheme', 'ftp://example.test/calls'],
    ['a data: URL', 'data:text/plain,calls'],
  ])('refuses %s with token_fetch_failed', (_label, callsUrl) => {
    expect(() => checkCallsUrl({ value: 'ek_1', callsUrl })).toThrow(expect.objectContaining({ code: 'token_fetch_failed', retryable: false }));
  });

  it('applies to the calls_url of a token endpoint, before the key is used', async () => {
    await expect(fetchToken('/t', {}, FALLBACK, signal(), endpoint({ value: 'ek_1', calls_url: 'http://sim.test/calls' }) as never)).rejects.toMatchObject({
      code: 'token_fetch_failed',
    });
  });

  it('applies to getToken’s answer and to the fallback calls URL', async () => {
    await expect(resolveProvidedToken(async () => ({ value: 'ek_1', callsUrl: 'http://sim.test/calls' }), FALLBACK, signal())).rejects.toMatchObject({ code: 'token_fetch_failed' });
    await expect(resolveProvidedToken(async () => 'ek_1', 'http://sim.test/calls', signal())).rejects.toMatchObject({ code: 'token_fetch_failed' });
  });

  it('fails connect() with token_fetch_failed before the key goes anywhere', async () => {
    installMicrophone();
    const fake = new FakeTransport();
    const session = new VoiceSession({ getToken: async () => ({ value: 'ek_1', callsUrl: 'http://sim.test/calls' }), transport: () => fake, logLevel: 'silent' });
    await expect(session.connect()).rejects.toMatchObject({ code: 'token_fetch_failed' });
    // The offer was being made meanwhile (no network): it never connects, and is closed.
    expect(fake.connectParams).toBeUndefined();
    expect(fake.state).toBe('closed');
    expect(session.state).toBe('failed');
  });
});

describe('getToken', () => {
  it('accepts a key string (with the calls URL from the options) or a token object', async () => {
    expect(await resolveProvidedToken(async () => 'ek_str', FALLBACK, signal())).toEqual({ value: 'ek_str', callsUrl: FALLBACK });
    expect(await resolveProvidedToken(async () => ({ value: 'ek_obj', callsUrl: 'https://rt.test/calls', expiresAt: 5 }), FALLBACK, signal())).toEqual({
      value: 'ek_obj',
      callsUrl: 'https://rt.test/calls',
      expiresAt: 5,
    });
    expect(await resolveProvidedToken(async () => ({ value: 'ek_obj', callsUrl: '' }), FALLBACK, signal())).toMatchObject({ callsUrl: FALLBACK });
  });

  it('is passed the abort signal', async () => {
    const provider = vi.fn(async (_s: AbortSignal) => 'ek_1');
    const s = signal();
    await resolveProvidedToken(provider, FALLBACK, s);
    expect(provider).toHaveBeenCalledWith(s);
  });

  it('refuses an empty key', async () => {
    await expect(resolveProvidedToken(async () => '', FALLBACK, signal())).rejects.toMatchObject({ code: 'token_fetch_failed' });
    await expect(resolveProvidedToken(async () => ({ value: '', callsUrl: FALLBACK }), FALLBACK, signal())).rejects.toMatchObject({ code: 'token_fetch_failed' });
    await expect(resolveProvidedToken(async () => undefined as never, FALLBACK, signal())).rejects.toMatchObject({ code: 'token_fetch_failed' });
  });

  it('wraps what it throws in token_fetch_failed, and passes an RtvoiceError through', async () => {
    const boom = new Error('no session');
    await expect(resolveProvidedToken(async () => Promise.reject(boom), FALLBACK, signal())).rejects.toMatchObject({ code: 'token_fetch_failed', cause: boom });
    const { RtvoiceError } = await import('../errors.js');
    const own = new RtvoiceError('aborted', 'cancelled');
    await expect(resolveProvidedToken(async () => Promise.reject(own), FALLBACK, signal())).rejects.toBe(own);
  });

  it('uses OpenAI’s calls URL by default', async () => {
    installMicrophone();
    const fake = new FakeTransport();
    const session = new VoiceSession({ getToken: async () => 'ek_1', transport: () => fake, audioElement: { play: async () => undefined, pause() {} } as never });
    await session.connect();
    expect(fake.connectParams?.callsUrl).toBe(OPENAI_CALLS_URL);
    await session.disconnect();
  });
});

describe('isTokenFresh', () => {
  it('keeps a 10 s margin, and trusts a token without expiry', () => {
    const now = Date.now() / 1000;
    expect(isTokenFresh({ value: 'k', callsUrl: FALLBACK, expiresAt: now + 60 })).toBe(true);
    expect(isTokenFresh({ value: 'k', callsUrl: FALLBACK, expiresAt: now + 5 })).toBe(false);
    expect(isTokenFresh({ value: 'k', callsUrl: FALLBACK, expiresAt: now - 1 })).toBe(false);
    expect(isTokenFresh({ value: 'k', callsUrl: FALLBACK })).toBe(true);
  });
});
