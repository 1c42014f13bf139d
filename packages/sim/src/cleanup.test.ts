import { describe, expect, it } from 'vitest';
import { synthesizeVoice } from './audio/synth.js';
import { startSim } from './sim-server.js';
import { connectTestClient } from './testing/rtc-client.js';
import { connectWs } from './test-support/ws-client.js';

const WATCHED = ['Timeout', 'TCPServerWrap', 'TCPSocketWrap', 'Immediate'];

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) if (WATCHED.includes(type)) out[type] = (out[type] ?? 0) + 1;
  return out;
}

describe('close() leaves nothing behind', () => {
  it('no timer, server or socket handle survives sessions with talking, faults and a scenario', async () => {
    const before = handles();
    const sim = await startSim({ scenario: 'long-answer' });
    const a = await connectTestClient(sim.url);
    const b = await connectTestClient(sim.url, { headers: { 'x-sim-fault': 'dc=after:60000,audio=stop_after:60000' } });
    const ws = sim.url.replace('http', 'ws');
    // A WebSocket session with fault timers pending, a sideband on call a, an upgrade left hanging by a fault.
    const socket = await connectWs(`${ws}/v1/realtime?sim_scenario=long-answer&sim_fault=dc%3Dafter%3A60000`, { headers: { authorization: 'Bearer sk-x' } });
    const sideband = await connectWs(`${ws}/v1/realtime?call_id=${a.callId}`, { headers: { authorization: 'Bearer sk-x' } });
    const hanging = connectWs(`${ws}/v1/realtime?sim_fault=realtime%3Dtimeout`, { headers: { authorization: 'Bearer sk-x' } }).catch(() => 'dropped');
    socket.send({ type: 'response.create' });
    a.speak(synthesizeVoice('hello there'));
    await a.waitFor('output_audio_buffer.started', undefined, 8000);
    await socket.waitFor('response.output_audio.delta', undefined, 8000);
    // Close in the middle of answers, with fault timers pending and the clients still connected.
    expect(sim.stats().sessions).toBe(3);
    await sim.close();
    expect((await socket.closed).code).toBe(1001);
    expect((await sideband.closed).code).toBe(1001);
    expect(await hanging).toBe('dropped');
    expect(sim.stats()).toMatchObject({ sessions: 0, audio: { outputs: 0 } });
    a.close();
    b.close();
    await new Promise((r) => setTimeout(r, 300));
    const after = handles();
    // The test runner's own timers come and go; nothing may be left above the baseline.
    for (const type of WATCHED) expect(after[type] ?? 0, type).toBeLessThanOrEqual(before[type] ?? 0);
  }, 20_000);
});
