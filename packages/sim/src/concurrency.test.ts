/**
 * Twenty concurrent browser-less sessions (wrtc clients sharing one mic clock, as the sim's
 * concurrency bench runs them) on one sim: every session's audio keeps flowing both ways. Each
 * client receives the sim's audio frames throughout, and each of them, speaking in turn, gets its
 * own spoken answer. The strict no-late-frame capacity figure lives in `pnpm bench`: this
 * machine-independent check asserts flow, not timing.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeVoice } from './audio/synth.js';
import { AudioClock } from './rtc/audio-clock.js';
import { startSim } from './sim-server.js';
import { connectTestClient, type TestClient } from './testing/rtc-client.js';
import { useSimCleanup } from './test-support/sim-cleanup.js';

const fx = useSimCleanup();
const N = 20;

describe('the sim under 20 concurrent sessions', () => {
  it('keeps every session’s audio flowing both ways', async () => {
    fx.sim = await startSim({ disconnectGraceMs: 1000 });
    const clock = new AudioClock();
    try {
      const clients: TestClient[] = [];
      for (let i = 0; i < N; i += 1) {
        const c = await connectTestClient(fx.sim.url, { clock, listen: true });
        fx.clients.push(c);
        clients.push(c);
      }
      expect(fx.sim.stats().sessions).toBe(N);
      // Audio flows down to every client: frames keep arriving on each (10 ms frames; at least a third of real time on a loaded machine).
      const before = clients.map((c) => c.received.length);
      await new Promise((r) => setTimeout(r, 2000));
      for (const [i, c] of clients.entries()) expect(c.received.length - before[i]!, `client ${i}`).toBeGreaterThan(66);
      // And up: each client speaks once (staggered) and gets its own answer, with audio.
      const voice = synthesizeVoice('one two three four');
      for (const [i, c] of clients.entries()) setTimeout(() => c.speak(voice), i * 150);
      await Promise.all(clients.map((c) => c.waitFor('response.done', undefined, 30_000)));
      for (const [i, c] of clients.entries()) {
        expect(c.ofType('input_audio_buffer.speech_started').length, `client ${i} heard`).toBeGreaterThan(0);
        expect(c.first('response.done').response.status, `client ${i}`).toBe('completed');
      }
      await Promise.all(clients.map((c) => c.waitUntil(() => c.peakLevel() > 0.05, 15_000, 'the answer audible')));
      expect(fx.sim.stats().sessions).toBe(N);
    } finally {
      clock.close();
    }
  }, 120_000);
});
