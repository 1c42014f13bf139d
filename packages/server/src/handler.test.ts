import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from './handler.js';
import { TokenHandlerError } from './errors.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { GA_CLIENT_SECRET_EXAMPLE, QUOTA_429_BODY } from './testing/ga-fixtures.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const post = (body?: unknown, headers: Record<string, string> = {}) =>
  new Request('http://app.test/api/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

describe('minting', () => {
  it('mints with the pinned default session, a 60 s TTL and the calls URL', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const res = await handler(post({}));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.value).toMatch(/^ek_test_/);
    expect(typeof body.expires_at).toBe('number');
    expect(body.calls_url).toBe(`${upstream.url}/realtime/calls`);
    expect(body.model).toBe('gpt-realtime');
    const sent = JSON.parse(upstream.requests[0]!.body) as Record<string, unknown>;
    expect(sent).toEqual({
      expires_after: { anchor: 'created_at', seconds: 60 },
      session: { type: 'realtime', model: 'gpt-realtime', audio: { output: { voice: 'marin' } } },
    });
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('deep-merges the server session over the defaults and honours ttlSeconds and callsUrl', async () => {
    const tools = [{ type: 'function', name: 'lookup', description: 'x', parameters: { type: 'object' } }];
    const handler = createTokenHandler({
      upstream: `${upstream.url}/`,
      ttlSeconds: 120,
      callsUrl: 'https://rtc.example.test/v1/realtime/calls',
      session: { instructions: 'Be brief.', tools, audio: { input: { turn_detection: { type: 'semantic_vad' } } } },
    });
    const res = await handler(post());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { calls_url: string };
    expect(body.calls_url).toBe('https://rtc.example.test/v1/realtime/calls');
    const sent = JSON.parse(upstream.requests[0]!.body) as { expires_after: unknown; session: unknown };
    expect(sent.expires_after).toEqual({ anchor: 'created_at', seconds: 120 });
    expect(sent.session).toEqual({
      type: 'realtime',
      model: 'gpt-realtime',
      instructions: 'Be brief.',
      tools,
      audio: { output: { voice: 'marin' }, input: { turn_detection: { type: 'semantic_vad' } } },
    });
  });

  it('sends the API key as a bearer token when one is given', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, apiKey: 'sk-test-123' });
    expect((await handler(post({}))).status).toBe(200);
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer sk-test-123');
  });

  it('calls onMint with the model and expiry, and survives a throwing hook', async () => {
    const events: unknown[] = [];
    const handler = createTokenHandler({
      upstream: upstream.url,
      onMint: (e) => {
        events.push(e);
        throw new Error('metrics down');
      },
    });
    const res = await handler(post({}, { origin: 'http://app.test' }));
    expect(res.status).toBe(200);
    expect(events).toEqual([
      { userId: undefined, ip: 'unknown', model: 'gpt-realtime', expiresAt: expect.any(Number), origin: 'http://app.test' },
    ]);
  });
});

describe('configuration', () => {
  it('throws missing_api_key for the OpenAI upstream without a key, saying what to set', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => createTokenHandler()).toThrowError(TokenHandlerError);
      expect(() => createTokenHandler()).toThrowError(/OPENAI_API_KEY/);
      try {
        createTokenHandler();
      } catch (e) {
        expect((e as TokenHandlerError).code).toBe('missing_api_key');
      }
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('reads OPENAI_API_KEY for the OpenAI upstream only', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-from-env';
    try {
      expect(() => createTokenHandler({ public: true })).not.toThrow();
      const handler = createTokenHandler({ upstream: upstream.url });
      expect((await handler(post({}))).status).toBe(200);
      expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('rejects a session that is not plain JSON data', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => createTokenHandler({ upstream: upstream.url, session: { tools: [circular] } })).toThrowError(/plain JSON/);
    expect(() => createTokenHandler({ upstream: upstream.url, session: { tools: [() => 1] } })).toThrowError(/plain JSON/);
  });

  it('rejects a beta-shaped session with a hint to the GA place', () => {
    expect(() => createTokenHandler({ upstream: upstream.url, session: { voice: 'alloy' } as never })).toThrowError(
      /session\.voice.*audio\.output\.voice/,
    );
    expect(() => createTokenHandler({ upstream: upstream.url, session: { turn_detection: null } as never })).toThrowError(
      /audio\.input\.turn_detection/,
    );
  });

  it('rejects bad options with invalid_options naming the option', () => {
    expect(() => createTokenHandler({ upstream: 'ftp://x' })).toThrowError(/"upstream"/);
    expect(() => createTokenHandler({ upstream: upstream.url, ttlSeconds: 5 })).toThrowError(/"ttlSeconds"/);
    expect(() => createTokenHandler({ upstream: upstream.url, ttlSeconds: 7201 })).toThrowError(/"ttlSeconds"/);
    try {
      createTokenHandler({ upstream: upstream.url, timeoutMs: 0 });
    } catch (e) {
      expect((e as TokenHandlerError).code).toBe('invalid_options');
    }
  });
});

describe('bad requests', () => {
  it('answers 405 with Allow for other methods', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    const res = await handler(new Request('http://app.test/api/token'));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await res.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 400 invalid_json, 400 invalid_body, 415 and 413', async () => {
    const handler = createTokenHandler({ upstream: upstream.url, maxBodyBytes: 64 });
    const codes = async (req: Request) => {
      const res = await handler(req);
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    };
    expect(await codes(post('{nope'))).toEqual([400, 'invalid_json']);
    expect(await codes(post('[1,2]'))).toEqual([400, 'invalid_body']);
    expect(await codes(post('"x"'))).toEqual([400, 'invalid_body']);
    expect(await codes(post('{"a":1}', { 'content-type': 'text/plain' }))).toEqual([415, 'unsupported_media_type']);
    expect(await codes(post({ pad: 'x'.repeat(100) }))).toEqual([413, 'body_too_large']);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i += 1) c.enqueue(new TextEncoder().encode('x'.repeat(20)));
        c.close();
      },
    });
    const streamed = new Request('http://app.test/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await codes(streamed)).toEqual([413, 'body_too_large']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('treats an empty body or null as no overrides', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    expect((await handler(new Request('http://app.test/', { method: 'POST' }))).status).toBe(200);
    expect((await handler(post('null'))).status).toBe(200);
  });
});

describe('upstream failures', () => {
  const cases: [string, { status: number; body?: unknown; headers?: Record<string, string> }, number, string][] = [
    ['401', { status: 401, body: { error: { message: 'Incorrect API key provided: sk-abc***', code: 'invalid_api_key' } } }, 502, 'upstream_error'],
    ['403', { status: 403, body: {} }, 502, 'upstream_error'],
    ['429', { status: 429, body: {}, headers: { 'retry-after': '7' } }, 503, 'upstream_unavailable'],
    ['400', { status: 400, body: { error: { message: 'bad voice', code: 'invalid_value' } } }, 502, 'upstream_error'],
    ['500', { status: 500, body: {} }, 502, 'upstream_error'],
    ['503', { status: 503, body: {} }, 503, 'upstream_unavailable'],
    ['200 but not a secret', { status: 200, body: { hello: 1 } }, 502, 'upstream_invalid_response'],
  ];
  for (const [name, reply, status, code] of cases) {
    it(`maps upstream ${name} to ${status} ${code} without forwarding the upstream message`, async () => {
      upstream.reply(() => reply);
      const handler = createTokenHandler({ upstream: upstream.url });
      const res = await handler(post({}));
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
      expect(text).not.toContain('Incorrect API key');
      expect(text).not.toContain('bad voice');
      if (name === '429') expect(res.headers.get('retry-after')).toBe('7');
    });
  }

  it('maps a slow upstream to 504 upstream_timeout', async () => {
    upstream.reply(() => ({ status: 200, body: {}, delayMs: 2_000 }));
    const handler = createTokenHandler({ upstream: upstream.url, timeoutMs: 100 });
    // Without the timeout, the upstream's 200 would come after 2 s: a 504 is the timeout's.
    const res = await handler(post({}));
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
  });

  it('maps an unreachable upstream to 502 upstream_unreachable', async () => {
    const dead = upstream.url;
    await upstream.close();
    upstream = await startFakeUpstream();
    const handler = createTokenHandler({ upstream: dead });
    const res = await handler(post({}));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });
});

describe('official GA payloads', () => {
  it('reduces the official client_secrets response to value, expires_at, calls_url and model', async () => {
    upstream.reply(() => ({ status: 200, body: GA_CLIENT_SECRET_EXAMPLE }));
    const handler = createTokenHandler({ upstream: upstream.url });
    const res = await handler(post({}));
    expect(await res.json()).toEqual({
      value: GA_CLIENT_SECRET_EXAMPLE.value,
      expires_at: GA_CLIENT_SECRET_EXAMPLE.expires_at,
      calls_url: `${upstream.url}/realtime/calls`,
      model: 'gpt-realtime-2025-08-25',
    });
  });

  it('maps the real insufficient_quota 429 to 503 upstream_unavailable, the quota detail only in the log', async () => {
    upstream.reply(() => ({ status: 429, body: QUOTA_429_BODY }));
    const logs: unknown[] = [];
    const res = await createTokenHandler({ upstream: upstream.url, logger: (e) => void logs.push(e) })(post({}));
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'upstream_unavailable', message: expect.any(String) } });
    expect(text).not.toContain('billing');
    expect(text).not.toContain('quota');
    expect(logs[0]).toMatchObject({
      code: 'upstream_unavailable',
      upstreamStatus: 429,
      upstreamCode: 'insufficient_quota',
      upstreamType: 'insufficient_quota',
      upstreamMessage: expect.stringContaining('exceeded your current quota'),
    });
  });
});

describe('browser goes away', () => {
  it('aborts the upstream call and reports client_closed_request', async () => {
    upstream.reply(() => ({ status: 200, body: {}, delayMs: 2_000 }));
    const handler = createTokenHandler({ upstream: upstream.url, timeoutMs: 5_000 });
    const aborter = new AbortController();
    const req = new Request('http://app.test/api/token', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: aborter.signal });
    setTimeout(() => aborter.abort(), 50);
    // Without the abort, the upstream's 200 would come after 2 s: a 499 is the abort's.
    const res = await handler(req);
    expect(res.status).toBe(499);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('client_closed_request');
  });
});

