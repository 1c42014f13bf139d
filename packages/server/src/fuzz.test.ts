/**
 * Fuzzing the request parsing of the token and call handlers (fast-check): arbitrary methods,
 * headers and bodies, and well-formed requests mutated. Every request gets a Response (nothing
 * throws), a refusal is a JSON `{ error: { code, message } }` with a 4xx/5xx status, the upstream
 * is reached only by a request the handler accepted, and the API key appears in no response.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallHandler } from './calls/call-handler.js';
import { createTokenHandler } from './handler.js';
import { FAKE_OFFER, startFakeCallsUpstream, type FakeCallsUpstream } from './testing/fake-calls-upstream.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';

const KEY = 'sk-fuzz-canary-5d1c9e7a3b2f4680';
let tokens: FakeUpstream;
let calls: FakeCallsUpstream;
beforeAll(async () => {
  tokens = await startFakeUpstream();
  calls = await startFakeCallsUpstream();
});
afterAll(async () => {
  await tokens.close();
  await calls.close();
});

const METHODS = ['POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const header = fc.oneof(
  fc.constantFrom('content-type', 'origin', 'content-length', 'x-forwarded-for', 'cookie', 'authorization', 'host', 'transfer-encoding'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom('application/json', 'application/sdp', 'multipart/form-data; boundary=x', 'text/plain', 'null', 'http://evil.test', 'https://app.test', '', '99999999999'),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(FAKE_OFFER, JSON.stringify({ session: { instructions: 'x' } }), '{"session":', 'v=0\r\n', 'x'.repeat(70_000)),
  fc.tuple(fc.constantFrom(FAKE_OFFER), fc.nat({ max: 400 })).map(([o, n]) => o.slice(0, n)),
);
const arbitraryRequest = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.constantFrom('/api/token', '/api/call', '/', '/api/token?x=%E0', '/api/call/../token'),
  headers: fc.dictionary(header, headerValue, { maxKeys: 6 }),
  body,
});
/** A request the handler accepts, with one header added or replaced and sometimes another body. */
const nearlyGood = (contentType: string, good: string) =>
  fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/api/token', '/api/call'),
    headers: fc.tuple(header, headerValue, fc.boolean()).map(([k, v, add]) => ({
      'content-type': contentType,
      origin: 'https://app.test',
      ...(add ? { [k]: v } : {}),
    })),
    body: fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: body }),
  });
const requestFor = (contentType: string, good: string) => fc.oneof(arbitraryRequest, nearlyGood(contentType, good));

function build(r: { method: string; path: string; headers: Record<string, string>; body: string | undefined }): Request | undefined {
  try {
    const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
    return new Request(`http://app.test${r.path}`, { method: r.method, headers: r.headers, ...(hasBody ? { body: r.body } : {}) });
  } catch {
    return undefined; // not even a request (a forbidden header value): nothing to hand to the handler
  }
}

async function check(res: Response, upstreamBefore: number, upstreamAfter: number): Promise<void> {
  expect(res).toBeInstanceOf(Response);
  const text = await res.text();
  expect(text).not.toContain(KEY);
  for (const [, v] of res.headers) expect(v).not.toContain(KEY);
  if (res.status >= 400) {
    expect(res.status).toBeLessThan(600);
    const parsed = JSON.parse(text) as { error: { code: unknown; message: unknown } };
    expect(typeof parsed.error.code).toBe('string');
    expect(typeof parsed.error.message).toBe('string');
  } else if (res.status !== 204) {
    // Accepted: the provider was asked exactly once.
    expect(upstreamAfter - upstreamBefore).toBe(1);
  }
  if (res.status >= 400 && res.status < 500) expect(upstreamAfter).toBe(upstreamBefore);
}

/**
 * 1,500 arbitrary requests (`contentType`, valid body `body`) into `handler`: each answered, checked,
 * and counted by status. `upstream` is the fake provider behind it.
 */
async function fuzzHandler(handler: (req: Request) => Promise<Response>, upstream: { requests: unknown[] }, contentType: string, body: string): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(requestFor(contentType, body), async (r) => {
      const req = build(r);
      if (!req) return;
      const before = upstream.requests.length;
      const res = await handler(req);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await check(res, before, upstream.requests.length);
    }),
    { numRuns: 1500, seed: 20261206 },
  );
  return statuses;
}

describe('fuzzing the handlers’ request parsing', () => {
  it('the token handler answers every request, with a typed refusal or a key, and never leaks its API key', async () => {
    const handler = createTokenHandler({ upstream: tokens.url, apiKey: KEY, public: true, allowedOrigins: ['https://app.test'], rateLimit: false });
    const statuses = await fuzzHandler(handler, tokens, 'application/json', '{}');
    // Both sides were exercised: keys minted, and refusals of several kinds.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('the call handler answers every request, with a typed refusal or an SDP answer, and never leaks its API key', async () => {
    const handler = createCallHandler({ upstream: calls.url, apiKey: KEY, public: true, allowedOrigins: ['https://app.test'], rateLimit: false });
    const statuses = await fuzzHandler(handler, calls, 'application/sdp', FAKE_OFFER);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
