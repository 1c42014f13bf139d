import { describe, expect, it } from 'vitest';
import { synthesizeVoice } from '../audio/synth.js';
import { startSim } from '../sim-server.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';
import { connectWs, refusedUpgrade, type WsTestClient } from '../test-support/ws-client.js';
import { connectTestClient } from '../testing/rtc-client.js';

const fx = useSimCleanup();
const STANDARD = { headers: { authorization: 'Bearer sk-test-standard' } };
const sidebandUrl = (httpUrl: string, callId: string) => `${httpUrl.replace(/^http/, 'ws')}/v1/realtime?call_id=${encodeURIComponent(callId)}`;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sideband GET /v1/realtime?call_id=', () => {
  it('attaches to a live WebRTC call: sees the browser\'s events, and its session.update and response.create act on the call', async () => {
    fx.sim = await startSim();
    const browser = await connectTestClient(fx.sim.url);
    fx.clients.push(browser);
    expect(browser.callId).toMatch(/^rtc_/);
    const side: WsTestClient = await connectWs(sidebandUrl(fx.sim.url, browser.callId), STANDARD);
    const second: WsTestClient = await connectWs(sidebandUrl(fx.sim.url, browser.callId), STANDARD);
    try {
      // No session.created on attach (pydantic-ai#6676); the session count is the call's only.
      await settle(200);
      expect(side.events).toEqual([]);
      expect(fx.sim.stats().sessions).toBe(1);

      // The browser's spoken turn, seen on the sideband with the same event ids.
      await browser.waitUntil(() => browser.received.length > 20, 5000, 'output frames');
      browser.speak(synthesizeVoice('hello there how are you today'));
      const done = await side.waitFor('response.done', undefined, 15_000);
      const browserDone = await browser.waitFor('response.done', undefined, 5000);
      expect(done.event_id).toBe(browserDone.event_id);
      for (const type of ['input_audio_buffer.speech_started', 'input_audio_buffer.committed', 'response.created', 'output_audio_buffer.started']) {
        expect(side.ofType(type)[0]?.event_id, type).toBe(browser.first(type).event_id);
      }
      // As on the service's WebRTC calls, no audio deltas: the audio is on the browser's track.
      expect(side.ofType('response.output_audio.delta')).toHaveLength(0);

      // session.update from the sideband: both sides get session.updated.
      side.send({ type: 'session.update', session: { type: 'realtime', instructions: 'set by the sideband' } });
      const updated = await browser.waitFor('session.updated', (e) => e.session.instructions === 'set by the sideband');
      expect((await side.waitFor('session.updated')).event_id).toBe(updated.event_id);
      expect((await second.waitFor('session.updated')).event_id).toBe(updated.event_id);

      // An error caused by the sideband goes to the sideband only.
      side.send({ type: 'response.cancel', event_id: 'side_cancel' });
      await side.waitFor('error', (e) => e.error.event_id === 'side_cancel');
      await settle(200);
      expect(browser.ofType('error')).toHaveLength(0);
      expect(second.ofType('error')).toHaveLength(0);

      // response.create from the sideband: a response the browser hears.
      const before = browser.ofType('response.done').length;
      side.send({
        type: 'response.create',
        response: { input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hi from the server' }] }] },
      });
      const created = await side.waitFor('response.created', (e) => e.response.id !== done.response.id);
      const heard = await browser.waitFor('response.done', (e) => e.response.id === created.response.id, 15_000);
      expect(heard.response.status).toBe('completed');
      expect(heard.response.output[0].content[0].transcript).toBe('(sim) you said: say hi from the server');
      expect(browser.ofType('response.done')).toHaveLength(before + 1);
      await browser.waitFor('output_audio_buffer.stopped', (e) => e.response_id === created.response.id, 15_000);
      expect(browser.peakLevel(50)).toBeGreaterThan(0.05);

      // A sideband leaving does not end the call.
      second.close();
      expect((await second.closed).code).toBe(1000);
      await settle(100);
      expect(fx.sim.stats().sessions).toBe(1);

      // Hangup ends the call: the sideband closes with 1000.
      const hangup = await fetch(`${fx.sim.url}/v1/realtime/calls/${browser.callId}/hangup`, { method: 'POST', headers: { authorization: 'Bearer sk-test-standard' } });
      expect(hangup.status).toBe(200);
      expect(await side.closed).toEqual({ code: 1000, reason: 'call ended' });
    } finally {
      side.close();
      second.close();
    }
  }, 40_000);

  it('closes with 1000 when the browser goes away; 404 for an unknown or ended call; an ek_ key is refused with 403', async () => {
    fx.sim = await startSim({ disconnectGraceMs: 300 });
    const browser = await connectTestClient(fx.sim.url, { noAudio: true });
    fx.clients.push(browser);
    const side = await connectWs(sidebandUrl(fx.sim.url, browser.callId), STANDARD);
    const key = await (await fetch(`${fx.sim.url}/v1/realtime/client_secrets`, { method: 'POST', body: '{}' })).json() as { value: string };
    const ephemeral = await refusedUpgrade(sidebandUrl(fx.sim.url, browser.callId), { headers: { authorization: `Bearer ${key.value}` } });
    expect(ephemeral.status).toBe(403);
    expect(ephemeral.body.error).toMatchObject({ type: 'invalid_request_error', code: 'ephemeral_key_not_allowed' });
    // No key: the upgrade succeeds, then the invalid_api_key error and close 3000, like the main endpoint.
    const anonymous = await connectWs(sidebandUrl(fx.sim.url, browser.callId));
    expect(await anonymous.closed).toEqual({ code: 3000, reason: 'invalid_request_error.invalid_api_key' });
    browser.close();
    expect((await side.closed).code).toBe(1000);
    const unknown = await refusedUpgrade(sidebandUrl(fx.sim.url, 'rtc_doesnotexist'), STANDARD);
    expect(unknown).toEqual({
      status: 404,
      body: { error: { message: 'No session found for the provided call_id', type: 'invalid_request_error', code: 'call_id_not_found', param: '' } },
    });
    expect((await refusedUpgrade(sidebandUrl(fx.sim.url, browser.callId), STANDARD)).status).toBe(404);
  }, 20_000);
});
