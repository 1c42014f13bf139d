import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../sim-server.js';
import { errorsFixture, gaFixture } from '../test-support/fixtures.js';
import { makeOffer } from '../test-support/offer.js';

let sim: SimServer;
let offer: string;

beforeAll(async () => {
  sim = await startSim();
  offer = await makeOffer();
});
afterAll(async () => {
  await sim.close();
});

const mint = async (body: unknown = { session: { type: 'realtime', model: 'gpt-realtime' } }, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/v1/realtime/client_secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
    body: JSON.stringify(body),
  });

const call = (key: string | null, sdp: string, contentType = 'application/sdp', path = '/v1/realtime/calls') =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    body: sdp,
  });

/** The official client_secrets example, parsed (it has a trailing comma in the raw text). */
function officialClientSecret(): Record<string, unknown> {
  return JSON.parse(gaFixture.http.create_client_secret.example_response_raw.replace(/,(\s*[}\]])/g, '$1')) as Record<string, unknown>;
}

describe('HTTP: client_secrets', () => {
  it('mints an ek_ key with the full effective session, shaped like the official example', async () => {
    const res = await mint({ expires_after: { anchor: 'created_at', seconds: 120 }, session: { type: 'realtime', model: 'gpt-realtime', instructions: 'Be brief.' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { value: string; expires_at: number; session: Record<string, unknown> };
    expect(body.value).toMatch(/^ek_[0-9a-f]{32}$/);
    expect(body.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(119);
    expect(body.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(120);
    const official = officialClientSecret() as { session: Record<string, unknown> };
    expect(Object.keys(body).sort()).toEqual(Object.keys(official).sort());
    expect(Object.keys(body.session).sort()).toEqual(Object.keys(official.session).sort());
    expect(body.session).toMatchObject({ type: 'realtime', object: 'realtime.session', model: 'gpt-realtime', instructions: 'Be brief.' });
    expect(body.session.id).toMatch(/^sess_[A-Za-z0-9]{21}$/);
  });

  it('works without an Authorization header and with an empty body (defaults)', async () => {
    const res = await fetch(`${sim.url}/v1/realtime/client_secrets`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { expires_at: number; session: { audio: { input: { turn_detection: unknown } } } };
    expect(body.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(599);
    expect(body.session.audio.input.turn_detection).toEqual({
      type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200,
      idle_timeout_ms: null, create_response: true, interrupt_response: true,
    });
  });

  it('rejects unknown parameters, bad values and bad JSON with OpenAI error bodies', async () => {
    const unknown = await mint({ session: { type: 'realtime', voice: 'alloy' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: { type: 'invalid_request_error', code: 'unknown_parameter', message: "Unknown parameter: 'session.voice'.", param: 'session.voice' },
    });
    const short = await mint({ expires_after: { anchor: 'created_at', seconds: 5 }, session: { type: 'realtime' } });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { code: string; param: string } }).error).toMatchObject({
      code: 'integer_below_min_value',
      param: 'expires_after.seconds',
    });
    const badJson = await fetch(`${sim.url}/v1/realtime/client_secrets`, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

describe('HTTP: calls', () => {
  it('answers 201 with application/sdp, a loopback-only candidate, a=msid and Location', async () => {
    const { value } = (await (await mint()).json()) as { value: string };
    const res = await call(value, offer);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    expect(res.headers.get('location')).toMatch(/^\/v1\/realtime\/calls\/rtc_[A-Za-z0-9]{21}$/);
    const sdp = await res.text();
    const candidates = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    expect(candidates.length).toBeGreaterThanOrEqual(1);
    for (const c of candidates) expect(c).toMatch(/ udp \d+ 127\.0\.0\.1 \d+ typ host/);
    expect(sdp).toMatch(/^a=msid:\S+ \S+/m);
    expect(sdp).toMatch(/^a=setup:active/m);
    expect(sdp).toMatch(/^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/m);
    // Nobody connects: hang it up so the session goes away.
    const id = res.headers.get('location')?.split('/').pop();
    expect((await fetch(`${sim.url}/v1/realtime/calls/${id}/hangup`, { method: 'POST' })).status).toBe(200);
    expect(sim.stats().sessions).toBe(0);
  });

  it('401 for a missing, unknown or expired key', async () => {
    const missing = await call(null, offer);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const unknown = await call('ek_00000000000000000000000000000000', offer);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: Record<string, unknown> }).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
    });
    const short = (await (await mint({ session: { type: 'realtime' } }, { 'x-sim-fault': 'key_ttl=0.2' })).json()) as { value: string };
    await new Promise((r) => setTimeout(r, 300));
    const expired = await call(short.value, offer);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('400 invalid_offer (the fixture body) for an SDP that is not an offer', async () => {
    const { value } = (await (await mint()).json()) as { value: string };
    const res = await call(value, 'hello, I am not SDP');
    expect(res.status).toBe(400);
    const fixture = errorsFixture.http_errors.find((e) => e.status === 400 && e.body.error.code === 'invalid_offer');
    expect(await res.json()).toEqual(fixture?.body);
  });

  it('415 for a wrong content type', async () => {
    const { value } = (await (await mint()).json()) as { value: string };
    const res = await call(value, offer, 'text/plain');
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_content_type');
  });
});

describe('HTTP: CORS, health, unknown routes', () => {
  it('answers preflights for other origins with the SDK headers and exposes Location', async () => {
    for (const path of ['/v1/realtime/calls', '/v1/realtime/client_secrets']) {
      const res = await fetch(`${sim.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-openai-agents-sdk',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-openai-agents-sdk']));
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    }
    const { value } = (await (await mint()).json()) as { value: string };
    const res = await fetch(`${sim.url}/v1/realtime/calls`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', authorization: `Bearer ${value}`, 'content-type': 'application/sdp' },
      body: offer,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-expose-headers')).toBe('Location');
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    await fetch(`${sim.url}${res.headers.get('location')}/hangup`, { method: 'POST' });
  });

  it('GET /health is 200 JSON with session counts', async () => {
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', sessions: 0, audio: { lateThresholdMs: 20 } });
  });

  it('unknown routes are 404 with OpenAI\'s "Invalid URL" body', async () => {
    const res = await fetch(`${sim.url}/v1/nope`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { type: 'invalid_request_error', code: null, message: 'Invalid URL (POST /v1/nope)', param: null },
    });
  });
});
