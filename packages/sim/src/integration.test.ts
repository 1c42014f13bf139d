import { describe, expect, it } from 'vitest';
import { synthesizeVoice } from './audio/synth.js';
import { EVENT_ID_PATTERN } from './protocol/ids.js';
import { startSim } from './sim-server.js';
import { connectTestClient } from './testing/rtc-client.js';
import { useSimCleanup } from './test-support/sim-cleanup.js';

const fx = useSimCleanup();

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sim over real WebRTC (wrtc client on loopback)', () => {
  it('detects a spoken turn, parrots it back in GA order, and the audio arrives', async () => {
    fx.sim = await startSim();
    const client = await connectTestClient(fx.sim.url);
    fx.clients.push(client);
    expect(client.events[0]?.type).toBe('session.created');
    expect(client.callId).toMatch(/^rtc_/);

    client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'test' } });
    await client.waitFor('session.updated');

    // Wait until silence is flowing from the sim, then speak one sentence.
    await client.waitUntil(() => client.received.length > 20, 5000, 'output frames');
    expect(client.peakLevel()).toBeLessThan(0.001);
    client.speak(synthesizeVoice('hello there how are you today'));
    const stopped = await client.waitFor('output_audio_buffer.stopped', undefined, 15_000);

    const types = client.events.map((e) => e.type);
    const order = [
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'response.created',
      'rate_limits.updated',
      'response.output_item.added',
      'response.content_part.added',
      'output_audio_buffer.started',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
      'output_audio_buffer.stopped',
    ];
    const positions = order.map((t) => types.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const done = client.first('response.done');
    expect(done.response.status).toBe('completed');
    expect(stopped.response_id).toBe(done.response.id);
    for (const e of client.events) expect(e.event_id).toMatch(EVENT_ID_PATTERN);

    // The parrot's audio came back over the track, clearly above silence.
    expect(client.peakLevel()).toBeGreaterThan(0.05);
    const started = client.first('input_audio_buffer.speech_started');
    const speechStopped = client.first('input_audio_buffer.speech_stopped');
    expect(speechStopped.audio_end_ms - started.audio_start_ms).toBeGreaterThan(1500);
    expect(speechStopped.audio_end_ms - started.audio_start_ms).toBeLessThan(3500);
  }, 30_000);

  it('with networkDelayMs, signalling and media both cross the delay, and a turn still works', async () => {
    fx.sim = await startSim({ networkDelayMs: 30 });
    expect(fx.sim.url).not.toBe(fx.sim.directUrl);
    const t0 = performance.now();
    const client = await connectTestClient(fx.sim.url);
    fx.clients.push(client);
    // A lower bound only (a delay can only add time): mint and SDP POST on new connections (4 × 30 ms
    // each, handshake included), then ICE and DTLS through the UDP relay (2 round trips at least).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(8 * 30 + 2 * 60);
    expect(client.events[0]?.type).toBe('session.created');
    await client.waitUntil(() => client.received.length > 20, 5000, 'output frames');
    client.speak(synthesizeVoice('hello there how are you today'));
    await client.waitFor('output_audio_buffer.stopped', undefined, 15_000);
    expect(client.peakLevel()).toBeGreaterThan(0.05);
  }, 30_000);

  it('runs several sessions at once, isolated, and cleans up when clients go away', async () => {
    fx.sim = await startSim({ disconnectGraceMs: 300 });
    const a = await connectTestClient(fx.sim.url);
    const b = await connectTestClient(fx.sim.url);
    fx.clients.push(a, b);
    expect(fx.sim.stats().sessions).toBe(2);
    expect(a.events[0]?.session).not.toEqual(b.events[0]?.session);
    a.speak(synthesizeVoice('only the first client speaks'));
    await a.waitFor('response.done', undefined, 10_000);
    await settle(300);
    expect(b.ofType('input_audio_buffer.speech_started')).toHaveLength(0);
    expect(b.ofType('response.created')).toHaveLength(0);
    a.close();
    await b.waitUntil(() => fx.sim?.stats().sessions === 1, 5000, 'session a cleaned up');
    b.close();
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (fx.sim?.stats().sessions === 0) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - t0 > 5000) {
          clearInterval(poll);
          reject(new Error('session b not cleaned up'));
        }
      }, 20);
    });
    expect(fx.sim.stats().audio.outputs).toBe(0);
  }, 30_000);
});
