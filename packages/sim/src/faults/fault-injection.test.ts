import { describe, expect, it } from 'vitest';
import { errorsFixture } from '../test-support/fixtures.js';
import { makeOffer } from '../test-support/offer.js';
import { connectTestClient } from '../testing/rtc-client.js';
import { synthesizeVoice } from '../audio/synth.js';
import { MALFORMED_FRAME } from './session-faults.js';
import { startSim } from '../sim-server.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';

const fx = useSimCleanup();

const mint = (url: string, headers: Record<string, string> = {}, query = '') =>
  fetch(`${url}/v1/realtime/client_secrets${query}`, { method: 'POST', headers, body: JSON.stringify({ session: { type: 'realtime' } }) });

async function keyFor(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await mint(url, headers);
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: string }).value;
}

const post = (url: string, key: string, sdp: string, headers: Record<string, string> = {}, query = '', signal?: AbortSignal) =>
  fetch(`${url}/v1/realtime/calls${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/sdp', ...headers },
    body: sdp,
    ...(signal ? { signal } : {}),
  });

describe('HTTP faults', () => {
  it('client_secrets: header and query faults answer with the service\'s error bodies', async () => {
    fx.sim = await startSim();
    const res500 = await mint(fx.sim.url, { 'x-sim-fault': 'client_secrets=500' });
    expect(res500.status).toBe(500);
    expect(((await res500.json()) as { error: { type: string } }).error.type).toBe('server_error');
    const res429 = await mint(fx.sim.url, {}, '?sim_fault=client_secrets%3D429');
    expect(res429.status).toBe(429);
    expect(await res429.json()).toEqual(errorsFixture.http_errors.find((e) => e.status === 429)?.body);
    expect((await mint(fx.sim.url)).status).toBe(200);
    const bad = await mint(fx.sim.url, { 'x-sim-fault': 'client_secrets=teapot' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_fault');
  });

  it('calls: 400 invalid_offer, 401 and 429 by header, query or the minting request; *N limits uses', async () => {
    fx.sim = await startSim({ faults: 'calls=503*1' });
    const offer = await makeOffer();
    const key = await keyFor(fx.sim.url);
    expect((await post(fx.sim.url, key, offer)).status).toBe(503); // global, first use only
    const r400 = await post(fx.sim.url, key, offer, { 'x-sim-fault': 'calls=400' });
    expect(r400.status).toBe(400);
    expect(await r400.json()).toEqual(errorsFixture.http_errors.find((e) => e.body.error.code === 'invalid_offer')?.body);
    expect((await post(fx.sim.url, key, offer, {}, '?sim_fault=calls=401')).status).toBe(401);
    const faultyKey = await keyFor(fx.sim.url, { 'x-sim-fault': 'calls=429' });
    expect((await post(fx.sim.url, faultyKey, offer)).status).toBe(429);
    const ok = await post(fx.sim.url, key, offer);
    expect(ok.status).toBe(201);
    await fetch(`${fx.sim.url}${ok.headers.get('location')}/hangup`, { method: 'POST' });
  });

  it('delay and timeout', async () => {
    fx.sim = await startSim();
    const offer = await makeOffer();
    const key = await keyFor(fx.sim.url);
    const t0 = performance.now();
    const delayed = await post(fx.sim.url, key, offer, { 'x-sim-fault': 'calls=delay:400' });
    expect(delayed.status).toBe(201);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    await fetch(`${fx.sim.url}${delayed.headers.get('location')}/hangup`, { method: 'POST' });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 500);
    await expect(post(fx.sim.url, key, offer, { 'x-sim-fault': 'calls=timeout' }, '', abort.signal)).rejects.toThrow();
    clearTimeout(timer);
    expect(fx.sim.stats().sessions).toBe(0);
  });

  it('key_ttl: a key expires after N seconds (expires_after honoured too)', async () => {
    fx.sim = await startSim();
    const offer = await makeOffer();
    const res = await mint(fx.sim.url, { 'x-sim-fault': 'key_ttl=1' });
    const { value, expires_at } = (await res.json()) as { value: string; expires_at: number };
    expect(expires_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect(expires_at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    const ok = await post(fx.sim.url, value, offer);
    expect(ok.status).toBe(201);
    await fetch(`${fx.sim.url}${ok.headers.get('location')}/hangup`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post(fx.sim.url, value, offer)).status).toBe(401);
  });
});

describe('session faults over WebRTC', () => {
  it('dc=mid_response closes the data channel after the first delta; the session is cleaned up', async () => {
    fx.sim = await startSim();
    const client = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'dc=mid_response' } });
    fx.clients.push(client);
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    client.send({ type: 'response.create' });
    await client.waitFor('response.output_audio_transcript.delta', undefined, 5000);
    await client.waitUntil(() => !client.open, 5000, 'channel closed');
    const types = client.events.map((e) => e.type);
    expect(types.at(-1)).toBe('response.output_audio_transcript.delta');
    expect(types).not.toContain('response.done');
    await client.waitUntil(() => fx.sim?.stats().sessions === 0, 5000, 'session cleanup');
  });

  it('audio=stop: the sim sends no audio frames at all, even while it answers', async () => {
    fx.sim = await startSim({ generationSpeed: 20 });
    const muted = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'audio=stop' } });
    fx.clients.push(muted);
    muted.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } });
    muted.send({ type: 'response.create' });
    await muted.waitFor('response.done', undefined, 5000);
    await new Promise((r) => setTimeout(r, 500));
    expect(fx.sim.stats().audio.frames).toBe(0);
    expect(muted.peakLevel()).toBeLessThan(0.001);
    expect(muted.ofType('output_audio_buffer.started')).toHaveLength(0);
  });

  it('malformed=after_created: a non-JSON frame follows session.created', async () => {
    fx.sim = await startSim();
    const client = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'malformed=after_created' } });
    fx.clients.push(client);
    await client.waitUntil(() => client.raw.length >= 2, 3000, 'second frame');
    expect(JSON.parse(client.raw[0] ?? '{}').type).toBe('session.created');
    expect(client.raw[1]).toBe(MALFORMED_FRAME);
    expect(() => JSON.parse(client.raw[1] ?? '')).toThrow();
    client.send({ type: 'session.update', session: { type: 'realtime' } });
    await client.waitFor('session.updated');
  });

  it('unknown=after_created: an event of a type the protocol does not define follows session.created, and the session goes on', async () => {
    fx.sim = await startSim();
    const client = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'unknown=after_created' } });
    fx.clients.push(client);
    await client.waitUntil(() => client.raw.length >= 2, 3000, 'second frame');
    expect(client.events.map((e) => e.type).slice(0, 2)).toEqual(['session.created', 'conversation.item.annotation.added']);
    expect(client.events[1]!.event_id).toMatch(/^event_\w{21}$/);
    client.send({ type: 'session.update', session: { type: 'realtime' } });
    await client.waitFor('session.updated');
  });

  it('unknown=mid_response: the unknown event arrives between the first response\'s deltas, and the response completes', async () => {
    fx.sim = await startSim({ generationSpeed: 20 });
    const client = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'unknown=mid_response' } });
    fx.clients.push(client);
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } });
    client.send({ type: 'response.create' });
    await client.waitFor('response.done', undefined, 8000);
    const types = client.events.map((e) => e.type);
    const at = types.indexOf('conversation.item.annotation.added');
    expect(at).toBeGreaterThan(types.indexOf('response.output_audio_transcript.delta'));
    expect(at).toBeLessThan(types.indexOf('response.done'));
    expect(types.filter((t) => t === 'conversation.item.annotation.added')).toHaveLength(1);
  });

  it('ice=cut_after: the media path goes dead after N ms; ICE fails on the client and the sim ends the session', async () => {
    fx.sim = await startSim({ disconnectGraceMs: 500 });
    const client = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'ice=cut_after:800' } });
    fx.clients.push(client);
    expect(client.connectionState).toBe('connected');
    expect(fx.sim.stats().sessions).toBe(1);
    // Nothing is said on either side: the client's ICE notices the silence by itself.
    await client.waitUntil(() => client.connectionState === 'disconnected' || client.connectionState === 'failed', 15_000, 'ICE to notice');
    await client.waitUntil(() => fx.sim?.stats().sessions === 0, 15_000, 'the sim to end the session');
    expect(client.events.map((e) => e.type)).not.toContain('error');
  }, 30_000);

  it('X-Sim-Scenario on the minting request: the greeting plays without response.create', async () => {
    fx.sim = await startSim();
    const key = await keyFor(fx.sim.url, { 'x-sim-scenario': 'greeting' });
    const client = await connectTestClient(fx.sim.url, { key });
    fx.clients.push(client);
    client.send({ type: 'session.update', session: { type: 'realtime' } });
    const done = await client.waitFor('response.output_audio_transcript.done', undefined, 8000);
    expect(done.transcript).toMatch(/^Hello! This is the rtvoice simulator/);
    await client.waitUntil(() => client.peakLevel() > 0.05, 5000, 'greeting audio');
    const unknown = await mint(fx.sim.url, { 'x-sim-scenario': 'nope' });
    expect(unknown.status).toBe(400);
  });

  it('startSim({ scenario }) applies to every session; ?sim_scenario=parrot overrides it', async () => {
    fx.sim = await startSim({ scenario: 'long-answer', generationSpeed: 20 });
    const scripted = await connectTestClient(fx.sim.url);
    const parrot = await connectTestClient(fx.sim.url, { path: '/v1/realtime/calls?sim_scenario=parrot' });
    fx.clients.push(scripted, parrot);
    for (const c of [scripted, parrot]) {
      c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] } });
      c.send({ type: 'response.create' });
    }
    const a = await scripted.waitFor('response.done', undefined, 15_000);
    const b = await parrot.waitFor('response.done', undefined, 8000);
    expect(a.response.output[0].content[0].transcript).toMatch(/^Here is a rather long answer/);
    expect(b.response.output[0].content[0].transcript).toBe('(sim) you said: x');
    void synthesizeVoice;
  }, 30_000);
});
