import { describe, expect, it } from 'vitest';
import { decodeG711, encodeG711 } from '../audio/g711.js';
import { rms } from '../audio/level.js';
import { decodePcm16le, encodePcm16le } from '../audio/pcm16.js';
import { resampleLinear } from '../audio/resample.js';
import { synthesizeVoice } from '../audio/synth.js';
import { MALFORMED_FRAME } from '../faults/session-faults.js';
import { EVENT_ID_PATTERN } from '../protocol/ids.js';
import { startSim } from '../sim-server.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';
import { silence } from '../test-support/signals.js';
import { connectWs, refusedUpgrade, type WsTestClient } from '../test-support/ws-client.js';

const fx = useSimCleanup();
const sockets: WsTestClient[] = [];
const track = (c: WsTestClient): WsTestClient => (sockets.push(c), c);

const wsUrl = (httpUrl: string, query = '') => `${httpUrl.replace(/^http/, 'ws')}/v1/realtime${query}`;

async function mint(url: string, body: Record<string, unknown> = {}, query = ''): Promise<string> {
  const res = await fetch(`${url}/v1/realtime/client_secrets${query}`, {
    method: 'POST',
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime', ...body } }),
  });
  return ((await res.json()) as { value: string }).value;
}

/** A browser-style connection: subprotocols, no headers. */
const browser = (key: string) => ({ protocols: ['realtime', `openai-insecure-api-key.${key}`, 'openai-organization.org_test', 'openai-project.proj_test'] });

/** One sentence of the sim's synthetic voice, then 600 ms of silence, at `rate`. */
function utterance(rate: number): Int16Array {
  const voice = resampleLinear(synthesizeVoice('hello there how are you today'), 48_000, rate);
  const out = new Int16Array(voice.length + silence(600, rate).length);
  out.set(voice);
  return out;
}

async function cleanup(): Promise<void> {
  for (const s of sockets.splice(0)) s.close();
}

describe('WebSocket endpoint GET /v1/realtime', () => {
  it('a spoken turn in PCM16 24 kHz: VAD events, a response with audio deltas that decode to the answer', async () => {
    fx.sim = await startSim();
    const key = await mint(fx.sim.url);
    const client = track(await connectWs(wsUrl(fx.sim.url, '?model=gpt-realtime'), browser(key)));
    expect(client.ws.protocol).toBe('realtime');
    await client.waitFor('session.created');
    expect(client.events[0]?.type).toBe('session.created');
    expect(client.events[0]?.session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(fx.sim.stats().sessions).toBe(1);
    // 30 ms appends (1440 bytes), sent three times faster than real time.
    await client.append(encodePcm16le(utterance(24_000)), 1440, 10);
    const done = await client.waitFor('response.done', undefined, 15_000);
    expect(done.response.status).toBe('completed');
    const types = client.types();
    const order = ['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed', 'response.created', 'response.output_audio.delta', 'response.output_audio.done', 'response.done'];
    const positions = order.map((t) => types.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(types.filter((t) => t.startsWith('output_audio_buffer.'))).toEqual([]);
    for (const e of client.events) expect(e.event_id).toMatch(EVENT_ID_PATTERN);
    // The parrot plays the user's speech back: non-silent PCM16 24 kHz, as long as the speech.
    const deltas = client.ofType('response.output_audio.delta').filter((d) => d.response_id === done.response.id);
    const pcm = decodePcm16le(Buffer.concat(deltas.map((d) => Buffer.from(d.delta, 'base64'))));
    expect(rms(pcm)).toBeGreaterThan(0.05);
    const started = client.ofType('input_audio_buffer.speech_started')[0];
    const stopped = client.ofType('input_audio_buffer.speech_stopped')[0];
    const spokenMs = stopped!.audio_end_ms - started!.audio_start_ms;
    expect(pcm.length / 24).toBeGreaterThan(spokenMs * 0.5);
    expect(pcm.length / 24).toBeLessThan(spokenMs * 1.2);
    // Generated faster than real time (twice, by default).
    const times = client.events.flatMap((e, i) => (e.type === 'response.output_audio.delta' && e.response_id === done.response.id ? [client.at[i]!] : []));
    expect(times.at(-1)! - times[0]!).toBeLessThan(pcm.length / 24);
    await cleanup();
  }, 30_000);

  it('G.711 µ-law and A-law sessions: input decoded for the VAD, output deltas in the same law', async () => {
    fx.sim = await startSim();
    for (const [type, law] of [['audio/pcmu', 'ulaw'], ['audio/pcma', 'alaw']] as const) {
      const client = track(await connectWs(wsUrl(fx.sim.url, '?model=gpt-realtime'), { headers: { authorization: 'Bearer sk-test' } }));
      await client.waitFor('session.created');
      client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type } }, output: { format: { type } } } } });
      await client.waitFor('session.updated');
      // 20 ms appends (160 bytes at 8 kHz).
      await client.append(encodeG711(utterance(8_000), law), 160, 5);
      const done = await client.waitFor('response.done', undefined, 15_000);
      expect(client.ofType('input_audio_buffer.speech_started')).toHaveLength(1);
      expect(done.response.audio.output.format).toEqual({ type });
      const bytes = Buffer.concat(client.ofType('response.output_audio.delta').map((d) => Buffer.from(d.delta, 'base64')));
      expect(rms(decodeG711(bytes, law))).toBeGreaterThan(0.05);
      // One byte per 8 kHz sample: over a second of parroted speech.
      expect(bytes.length / 8).toBeGreaterThan(1000);
      client.close();
    }
    await cleanup();
  }, 30_000);

  it('barge-in over a long answer: cancelled (turn_detected), no server truncation; the client truncate is applied; too long is an error', async () => {
    fx.sim = await startSim();
    const key = await mint(fx.sim.url);
    // The scenario rides on the URL, as it does on a calls_url turned into a WebSocket URL.
    const client = track(await connectWs(wsUrl(fx.sim.url, '?sim_scenario=long-answer'), { headers: { authorization: `Bearer ${key}` } }));
    await client.waitFor('session.created');
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'talk' }] } });
    client.send({ type: 'response.create' });
    const created = await client.waitFor('response.created');
    await client.waitUntil(() => client.ofType('response.output_audio.delta').length >= 10, 8000, 'ten deltas');
    await client.append(encodePcm16le(utterance(24_000)), 960, 5);
    const done = await client.waitFor('response.done', (e) => e.response.id === created.response.id, 8000);
    expect(done.response.status).toBe('cancelled');
    expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.ofType('conversation.item.truncated')).toHaveLength(0);
    const itemId = done.response.output[0].id as string;
    const sentMs = Buffer.concat(
      client.ofType('response.output_audio.delta').filter((d) => d.response_id === created.response.id).map((d) => Buffer.from(d.delta, 'base64')),
    ).length / 48;
    client.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.floor(sentMs) + 1000, event_id: 'evt_long' });
    const error = await client.waitFor('error', (e) => e.error.event_id === 'evt_long');
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: null });
    expect(error.error.message).toMatch(/^Audio content of \d+ms is already shorter than \d+ms$/);
    client.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 400 });
    const truncated = await client.waitFor('conversation.item.truncated');
    expect(truncated).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 400 });
    await cleanup();
  }, 30_000);

  it('auth: a standard key with ?model=; no, unknown, expired or non-keys get an error event and close 3000; the beta shape closes 4000', async () => {
    fx.sim = await startSim();
    // This key lives 200 ms.
    const expired = await mint(fx.sim.url, {}, '?sim_fault=key_ttl%3D0.2');
    const std = track(await connectWs(wsUrl(fx.sim.url, '?model=gpt-realtime-mini'), { headers: { authorization: 'Bearer sk-anything' } }));
    expect((await std.waitFor('session.created')).session.model).toBe('gpt-realtime-mini');
    const refusal = async (url: string, options: Parameters<typeof connectWs>[1]) => {
      const c = track(await connectWs(url, options));
      const closed = await c.closed;
      return { closed, events: c.events };
    };
    await new Promise((r) => setTimeout(r, 250));
    for (const [what, options, message] of [
      ['no key', {}, /^Missing bearer/],
      ['unknown ek_', browser('ek_0123456789abcdef0123456789abcdef'), /^Incorrect API key provided: ek_012\*\*\*/],
      ['expired ek_', { headers: { authorization: `Bearer ${expired}` } }, /expired/],
      ['not a key', { headers: { authorization: 'Bearer hello' } }, /^Incorrect API key/],
    ] as const) {
      const { closed, events } = await refusal(wsUrl(fx.sim.url, '?model=gpt-realtime'), options);
      expect(closed, what).toEqual({ code: 3000, reason: 'invalid_request_error.invalid_api_key' });
      expect(events, what).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_api_key', param: null, event_id: null } });
      expect(events[0]?.event_id).toMatch(EVENT_ID_PATTERN);
      expect(events[0]?.error.message).toMatch(message);
    }
    for (const options of [
      { protocols: ['realtime', 'openai-insecure-api-key.sk-x', 'openai-beta.realtime-v1'] },
      { headers: { authorization: 'Bearer sk-x', 'openai-beta': 'realtime=v1' } },
    ]) {
      const { closed, events } = await refusal(wsUrl(fx.sim.url, '?model=gpt-realtime'), options);
      expect(closed).toEqual({ code: 4000, reason: 'invalid_request_error.beta_api_shape_disabled' });
      expect(events).toEqual([]);
    }
    expect(fx.sim.stats().sessions).toBe(1);
    await cleanup();
  }, 20_000);

  it('an ek_ key brings its session config, scenario and faults; ?model= is optional', async () => {
    fx.sim = await startSim();
    const key = await mint(fx.sim.url, { instructions: 'minted instructions', audio: { output: { format: { type: 'audio/pcma' } } } }, '?sim_scenario=greeting&sim_fault=malformed%3Dafter_created');
    const client = track(await connectWs(wsUrl(fx.sim.url), browser(key)));
    const created = await client.waitFor('session.created');
    expect(created.session).toMatchObject({ instructions: 'minted instructions', model: 'gpt-realtime', audio: { output: { format: { type: 'audio/pcma' } } } });
    expect(created.session.id).toMatch(/^sess_/);
    // The minted fault: a non-JSON frame right after session.created.
    await client.waitUntil(() => client.raw.length >= 2, 3000, 'second frame');
    expect(client.raw[1]).toBe(MALFORMED_FRAME);
    // The minted scenario greets on connect, in the minted output format.
    const delta = await client.waitFor('response.output_audio.delta', undefined, 5000);
    expect(rms(decodeG711(Buffer.from(delta.delta, 'base64'), 'alaw'))).toBeGreaterThan(0.01);
    await cleanup();
  }, 20_000);

  it('a calls_url query turned into a WebSocket URL: sim_scenario and sim_fault apply', async () => {
    fx.sim = await startSim();
    const key = await mint(fx.sim.url);
    // calls_url http://host/v1/realtime/calls?sim_scenario=greeting&sim_fault=dc%3Dmid_response → ws://host/v1/realtime?…&model=…
    const client = track(await connectWs(wsUrl(fx.sim.url, '?sim_scenario=greeting&sim_fault=dc%3Dmid_response&model=gpt-realtime'), browser(key)));
    await client.waitFor('session.created');
    // The greeting starts by itself; the fault drops the socket after the first delta, with no close frame.
    const closed = await client.closed;
    expect(closed.code).toBe(1006);
    expect(client.types()).toContain('response.created');
    expect(client.ofType('response.output_audio_transcript.delta')).toHaveLength(1);
    expect(client.ofType('response.done')).toHaveLength(0);
    await client.waitUntil(() => fx.sim?.stats().sessions === 0, 3000, 'session released');
    // dc=after:<ms>: the socket is dropped that long after it opened.
    const later = track(await connectWs(wsUrl(fx.sim.url, '?sim_fault=dc%3Dafter%3A300'), browser(key)));
    const opened = performance.now();
    await later.waitFor('session.created');
    expect((await later.closed).code).toBe(1006);
    expect(performance.now() - opened).toBeGreaterThan(250);
  }, 20_000);

  it('realtime=<status> refuses the upgrade with the service\'s JSON body; *N limits it; calls=… still refuses WebRTC', async () => {
    fx.sim = await startSim();
    const key = await mint(fx.sim.url, {}, '?sim_fault=realtime%3D503*1,calls%3D503');
    const refused = await refusedUpgrade(wsUrl(fx.sim.url, '?model=gpt-realtime'), browser(key));
    expect(refused).toEqual({ status: 503, body: { error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null } } });
    // The key's fault was for one use: the next upgrade goes through.
    const client = track(await connectWs(wsUrl(fx.sim.url, '?model=gpt-realtime'), browser(key)));
    await client.waitFor('session.created');
    // The same key's calls=503 refuses the WebRTC path.
    const sdp = await fetch(`${fx.sim.url}/v1/realtime/calls`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/sdp' }, body: 'v=0' });
    expect(sdp.status).toBe(503);
    // Per connection, as a query parameter or a header.
    expect((await refusedUpgrade(wsUrl(fx.sim.url, '?sim_fault=realtime%3D429'), { headers: { authorization: 'Bearer sk-x' } })).status).toBe(429);
    expect((await refusedUpgrade(wsUrl(fx.sim.url), { headers: { authorization: 'Bearer sk-x', 'x-sim-fault': 'realtime=500' } })).status).toBe(500);
    expect((await refusedUpgrade(wsUrl(fx.sim.url, '?sim_fault=realtime%3Dteapot'), { headers: { authorization: 'Bearer sk-x' } })).body.error.code).toBe('invalid_fault');
    expect((await refusedUpgrade(wsUrl(fx.sim.url, '?sim_scenario=nope'), { headers: { authorization: 'Bearer sk-x' } })).body.error.code).toBe('unknown_scenario');
    expect((await refusedUpgrade(`${fx.sim.url.replace('http', 'ws')}/v1/elsewhere`, {})).status).toBe(404);
    await cleanup();
  }, 20_000);

  it('maxSessionMs, stats() and close() cover WebSocket sessions', async () => {
    fx.sim = await startSim({ maxSessionMs: 400 });
    const a = track(await connectWs(wsUrl(fx.sim.url), { headers: { authorization: 'Bearer sk-x' } }));
    await a.waitFor('session.created');
    expect(fx.sim.stats()).toMatchObject({ sessions: 1, sessionsTotal: 1 });
    expect(await a.closed).toEqual({ code: 1001, reason: 'Your session hit the maximum duration of 60 minutes.' });
    expect(a.ofType('error')[0]?.error.code).toBe('session_expired');
    await a.waitUntil(() => fx.sim?.stats().sessions === 0, 2000, 'session released');
    const b = track(await connectWs(wsUrl(fx.sim.url), { headers: { authorization: 'Bearer sk-x' } }));
    await b.waitFor('session.created');
    expect(fx.sim.stats()).toMatchObject({ sessions: 1, sessionsTotal: 2 });
    await fx.sim.close();
    expect(await b.closed).toEqual({ code: 1001, reason: 'rtvoice-sim is closing' });
    expect(fx.sim.stats().sessions).toBe(0);
  }, 20_000);
});
