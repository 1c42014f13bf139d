/**
 * The call endpoint's front door, its upstream request and its error mapping, against a fake
 * provider (no WebRTC here), plus the concurrent-call cap with the memory store.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSim } from '@rtvoice/sim';
import { FAKE_ANSWER, FAKE_OFFER, startFakeCallsUpstream, type FakeCallsUpstream } from '../testing/fake-calls-upstream.js';
import { createCallHandler } from './call-handler.js';
import type { CallHandlerOptions } from './call-options.js';
import { MemoryCallSlotStore } from './concurrency.js';
import type { CallLogEntry } from './log.js';
import type { CallControllerLike, ControlledCall } from './types.js';
import { MemoryRateLimitStore } from '../rate-limit/memory-store.js';
import { RedisRateLimitStore } from '../rate-limit/redis-store.js';

const KEY = 'sk-test-canary-0b8e2f6a91c4d375';
let upstream: FakeCallsUpstream;
beforeEach(async () => {
  upstream = await startFakeCallsUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const offer = (headers: Record<string, string> = {}, body: string = FAKE_OFFER, url = 'http://app.test/api/call') =>
  new Request(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body });

async function outcome(res: Response): Promise<[number, string | undefined]> {
  if (res.status === 201) return [201, undefined];
  return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
}

/** A controller stub recording the calls it is given. */
function recordingController(tools: CallControllerLike['toolDeclarations'] = []): CallControllerLike & { started: ControlledCall[] } {
  const started: ControlledCall[] = [];
  return { toolDeclarations: tools, checkSession: () => undefined, start: (call) => void started.push(call), started };
}

const handlerFor = (options: CallHandlerOptions = {}) => createCallHandler({ upstream: upstream.url, apiKey: KEY, ...options });

describe('createCallHandler: the upstream request', () => {
  it('posts multipart sdp + the pinned session with the key, and answers 201 application/sdp without a key or call id', async () => {
    const controller = recordingController([{ type: 'function', name: 'lookup_order', description: 'Order status.', parameters: { type: 'object', properties: {} } }]);
    const logs: CallLogEntry[] = [];
    const connected: unknown[] = [];
    const handler = handlerFor({
      session: { instructions: 'Be brief.', tools: [{ type: 'function', name: 'get_weather' }] },
      controller,
      authorize: () => ({ userId: 'ann' }),
      safetyIdentifier: { secret: 'a-secret-of-at-least-16-chars' },
      logger: (e) => logs.push(e),
      onCall: (e) => void connected.push(e),
    });
    const res = await handler(offer({ cookie: 'session=abc' }), { clientIp: '10.0.0.1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toBe(FAKE_ANSWER);

    const [sent] = upstream.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/realtime/calls' });
    expect(sent!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent!.headers['openai-safety-identifier']).toMatch(/^[0-9a-f]{64}$/);
    expect(sent!.headers.cookie).toBeUndefined();
    expect(sent!.fields.sdp).toBe(FAKE_OFFER);
    const session = JSON.parse(sent!.fields.session!) as Record<string, any>;
    expect(session).toMatchObject({ type: 'realtime', model: 'gpt-realtime', instructions: 'Be brief.', tool_choice: 'auto', audio: { output: { voice: 'marin' } } });
    expect(session.tools.map((t: { name: string }) => t.name)).toEqual(['get_weather', 'lookup_order']);

    expect(controller.started).toHaveLength(1);
    const call = controller.started[0]!;
    expect(call).toMatchObject({ callId: 'rtc_fake_1', userId: 'ann', ip: '10.0.0.1', model: 'gpt-realtime', slot: undefined });
    expect(call.userTag).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(call.upstream).toMatchObject({
      provider: 'openai',
      sidebandUrl: `${upstream.url.replace('http', 'ws')}/realtime?call_id=rtc_fake_1`,
      hangupUrl: `${upstream.url}/realtime/calls/rtc_fake_1/hangup`,
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(connected).toEqual([{ callId: 'rtc_fake_1', userId: 'ann', ip: '10.0.0.1', model: 'gpt-realtime', origin: undefined }]);
    expect(logs).toMatchObject([{ level: 'info', event: 'call.connected', status: 201, callId: 'rtc_fake_1', ip: '10.0.0.1' }]);
    expect(JSON.stringify(logs)).not.toContain('ann');
  });

  it('refuses at the front door like the token endpoint, before anything reaches the provider', async () => {
    const handler = handlerFor({ authorize: (req) => (req.headers.get('x-user') ? { userId: req.headers.get('x-user')! } : false), rateLimit: { perIp: { burst: 2, perMinute: 1 } } });
    expect(await outcome(await handler(new Request('http://app.test/api/call', { method: 'GET' })))).toEqual([405, 'method_not_allowed']);
    expect(await outcome(await handler(offer({ origin: 'https://evil.test', 'x-user': 'a' })))).toEqual([403, 'origin_not_allowed']);
    expect(await outcome(await handler(offer()))).toEqual([401, 'unauthorized']);
    expect(await outcome(await handler(offer({ 'x-user': 'a', 'content-type': 'application/json' }, '{}')))).toEqual([415, 'unsupported_media_type']);
    const limited = await handler(offer({ 'x-user': 'a' }, 'hello'));
    expect(await outcome(limited)).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = handlerFor({ maxOfferBytes: 1024 });
    expect(await outcome(await other(offer({}, 'not an sdp')))).toEqual([400, 'invalid_offer']);
    expect(await outcome(await other(offer({}, `${FAKE_OFFER}${'a=x\r\n'.repeat(400)}`)))).toEqual([413, 'body_too_large']);
    expect(upstream.requests).toHaveLength(0);
    // Same-origin pages and preflights from allowed origins pass.
    const preflight = await handlerFor({ allowedOrigins: ['https://shop.test'], cors: { credentials: true } })(
      new Request('http://api.test/api/call', { method: 'OPTIONS', headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST' } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await handlerFor()(offer({ origin: 'http://app.test' }))).status).toBe(201);
  });

  it('maps provider failures to 502/503 (400 for a refused offer), with the detail in the log only', async () => {
    const logs: CallLogEntry[] = [];
    const handler = handlerFor({ logger: (e) => logs.push(e), timeoutMs: 300 });
    const cases: Array<[number, string, Record<string, string>, [number, string], string | undefined]> = [
      [429, '{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}', { 'retry-after': '7' }, [503, 'upstream_unavailable'], '7'],
      [503, '{"error":{"message":"overloaded","type":"server_error","code":null}}', {}, [503, 'upstream_unavailable'], '5'],
      [500, '{"error":{"message":"boom","type":"server_error","code":null}}', {}, [502, 'upstream_error'], undefined],
      [401, `{"error":{"message":"Incorrect API key provided: ${KEY.slice(0, 12)}***","type":"invalid_request_error","code":"invalid_api_key"}}`, {}, [502, 'upstream_error'], undefined],
      [400, '{"error":{"message":"Invalid SDP offer. Please try again with a WHIP-compliant offer.","type":"invalid_request_error","param":null,"code":"invalid_offer"}}', {}, [400, 'invalid_offer'], undefined],
      [400, '{"error":{"message":"Unknown parameter: \'session.x\'.","type":"invalid_request_error","param":"session.x","code":"unknown_parameter"}}', {}, [502, 'upstream_error'], undefined],
      [201, 'not sdp', {}, [502, 'upstream_error'], undefined],
    ];
    for (const [status, body, headers, expected, retryAfter] of cases) {
      upstream.reply(() => ({ status, body, headers }));
      const res = await handler(offer());
      expect(await outcome(res), `${status} ${body}`).toEqual(expected);
      expect(res.headers.get('retry-after')).toBe(retryAfter ?? null);
    }
    expect(logs.map((l) => [l.level, l.event, l.upstreamStatus, l.upstreamCode ?? l.upstreamType])).toEqual([
      ['error', 'call.failed', 429, 'insufficient_quota'],
      ['error', 'call.failed', 503, 'server_error'],
      ['error', 'call.failed', 500, 'server_error'],
      ['error', 'call.failed', 401, 'invalid_api_key'],
      ['warn', 'call.rejected', 400, 'invalid_offer'], // the page's offer, not the server, was at fault
      ['error', 'call.failed', 400, 'unknown_parameter'],
      ['error', 'call.failed', 201, undefined],
    ]);
    // A timeout is "busy" (503); an unreachable provider is 502 with the network code in the log.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const slow = handlerFor({ logger: (e) => logs.push(e), timeoutMs: 2000, upstream: `http://127.0.0.1:${port}/v1` });
    expect(await outcome(await slow(offer()))).toEqual([502, 'upstream_error']);
    expect(logs.at(-1)).toMatchObject({ code: 'upstream_error', causeCode: 'ECONNREFUSED' });
    expect(JSON.stringify(logs)).not.toContain(KEY);
  });

  it('maps a real simulator: a busy provider (calls=429) is 503, a call without a controller needs no Location', async () => {
    const sim = await startSim({ faults: 'calls=429*1' });
    try {
      const handler = createCallHandler({ upstream: `${sim.url}/v1`, apiKey: KEY, timeoutMs: 5000 });
      expect(await outcome(await handler(offer()))).toEqual([503, 'upstream_unavailable']);
      // The sim parses the offer for real: this one is not WHIP-compliant.
      expect(await outcome(await handler(offer()))).toEqual([400, 'invalid_offer']);
    } finally {
      await sim.close();
    }
  });

  it('times out as 503 upstream_unavailable', async () => {
    const slowServer = await startSim({ faults: 'calls=timeout' });
    try {
      const handler = createCallHandler({ upstream: `${slowServer.url}/v1`, apiKey: KEY, timeoutMs: 200 });
      const res = await handler(offer());
      expect(await outcome(res)).toEqual([503, 'upstream_unavailable']);
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await slowServer.close();
    }
  });

  it('caps concurrent calls per user (anonymous: per IP) until the controller frees the slot', async () => {
    const controller = recordingController();
    const slots = new MemoryCallSlotStore();
    const handler = handlerFor({
      controller,
      maxConcurrentCallsPerUser: 2,
      callSlots: slots,
      authorize: (req) => (req.headers.get('x-user') ? { userId: req.headers.get('x-user')! } : true),
    });
    const ann = () => handler(offer({ 'x-user': 'ann' }), { clientIp: '10.0.0.1' });
    expect((await ann()).status).toBe(201);
    expect((await ann()).status).toBe(201);
    const refused = await ann();
    expect(await outcome(refused)).toEqual([429, 'too_many_calls']);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await handler(offer({ 'x-user': 'bob' }), { clientIp: '10.0.0.1' })).status).toBe(201);
    expect(upstream.requests).toHaveLength(3);
    // The controller owns each slot and frees it when its call ends.
    const [first] = controller.started;
    expect(first!.slot).toMatchObject({ ttlMs: 120_000 });
    await first!.slot!.release();
    expect((await ann()).status).toBe(201);
    // Anonymous callers share a cap per IP; a failed upstream call gives its slot back.
    expect((await handler(offer(), { clientIp: '10.0.0.9' })).status).toBe(201);
    upstream.reply(() => ({ status: 500, body: '{}' }));
    expect((await handler(offer(), { clientIp: '10.0.0.9' })).status).toBe(502);
    upstream.reply(() => ({ status: 201, body: FAKE_ANSWER, headers: { location: '/v1/realtime/calls/rtc_x' } }));
    expect((await handler(offer(), { clientIp: '10.0.0.9' })).status).toBe(201);
    expect(await outcome(await handler(offer(), { clientIp: '10.0.0.9' }))).toEqual([429, 'too_many_calls']);
  });

  it('refuses a 201 without Location when a controller must take the call', async () => {
    upstream.reply(() => ({ status: 201, body: FAKE_ANSWER }));
    expect(await outcome(await handlerFor({ controller: recordingController() })(offer()))).toEqual([502, 'upstream_error']);
    expect((await handlerFor()(offer())).status).toBe(201);
  });
});

describe('createCallHandler: options', () => {
  it('validates at creation', () => {
    expect(() => createCallHandler({ upstream: upstream.url, maxConcurrentCallsPerUser: 1 })).toThrowError(/needs a controller/);
    const redisLike = new RedisRateLimitStore({ client: { evalsha: async () => [1, 1, 0], eval: async () => [1, 1, 0] } });
    expect(() =>
      createCallHandler({ upstream: upstream.url, controller: recordingController(), maxConcurrentCallsPerUser: 1, rateLimit: { store: redisLike } }),
    ).toThrowError(/callSlots/);
    expect(() =>
      createCallHandler({ upstream: upstream.url, controller: recordingController(), maxConcurrentCallsPerUser: 1, rateLimit: { store: new MemoryRateLimitStore() } }),
    ).not.toThrow();
    expect(() => createCallHandler({ upstream: upstream.url, session: { voice: 'cedar' } })).toThrowError(/audio\.output\.voice/);
    expect(() => createCallHandler({ upstream: upstream.url, maxOfferBytes: 10 })).toThrowError(/maxOfferBytes/);
    expect(() => createCallHandler({ upstream: upstream.url, controller: {} as never })).toThrowError(/controller/);
    expect(() =>
      createCallHandler({
        upstream: upstream.url,
        session: { tools: [{ type: 'function', name: 'lookup_order' }] },
        controller: recordingController([{ type: 'function', name: 'lookup_order' }]),
      }),
    ).toThrowError(/also a server tool/);
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => createCallHandler({ public: true })).toThrowError(expect.objectContaining({ code: 'missing_api_key', message: expect.stringContaining('createCallHandler') }));
      process.env.OPENAI_API_KEY = KEY;
      // OpenAI itself needs a login check, or an endpoint declared public.
      expect(() => createCallHandler()).toThrowError(/authorize/);
      createCallHandler({ authorize: () => true });
      expect(() => createCallHandler({ upstream: 'http://voice.example/v1', public: true })).toThrowError(/https/);
      // Another upstream never gets OPENAI_API_KEY, and may go without a key (a simulator).
      createCallHandler({ upstream: upstream.url });
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('sends no key from the environment to another upstream', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = KEY;
    try {
      const res = await createCallHandler({ upstream: upstream.url })(offer());
      expect(res.status).toBe(201);
      expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });
});
