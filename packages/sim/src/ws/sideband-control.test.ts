/**
 * What a server controlling a call over the sideband relies on (`@rtvoice/server`'s call
 * controller): the browser's `session.update` is visible there and a later sideband update wins;
 * function calls reach the sideband and its output + `response.create` make the agent speak;
 * hangup ends both connections; the multipart `session` of the unified interface is applied.
 */
import { describe, expect, it } from 'vitest';
import { startSim } from '../sim-server.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';
import { connectWs, type WsTestClient } from '../test-support/ws-client.js';
import { connectTestClient, type TestClient } from '../testing/rtc-client.js';

const fx = useSimCleanup();
const STANDARD_KEY = 'sk-test-standard';
const STANDARD = { headers: { authorization: `Bearer ${STANDARD_KEY}` } };
const sidebandUrl = (httpUrl: string, callId: string) => `${httpUrl.replace(/^http/, 'ws')}/v1/realtime?call_id=${encodeURIComponent(callId)}`;
const WEATHER_TOOL = { type: 'function', name: 'get_weather', description: 'Weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const ORDER_TOOL = { type: 'function', name: 'lookup_order', description: 'Status of an order.', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } };

/** A typed user message and a response request, as a page sends them. */
function ask(browser: TestClient, text: string): void {
  browser.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  browser.send({ type: 'response.create' });
}

async function callWithSideband(browserOptions: Parameters<typeof connectTestClient>[1] = {}): Promise<{ browser: TestClient; side: WsTestClient }> {
  const browser = await connectTestClient(fx.sim!.url, browserOptions);
  fx.clients.push(browser);
  const side = await connectWs(sidebandUrl(fx.sim!.url, browser.callId), STANDARD);
  return { browser, side };
}

describe('sideband control of a WebRTC call', () => {
  it("sees the browser's session.update as session.updated, and a later sideband session.update wins", async () => {
    fx.sim = await startSim();
    const { browser, side } = await callWithSideband({ noAudio: true });
    try {
      browser.send({ type: 'session.update', session: { type: 'realtime', instructions: 'set by the page', tools: [WEATHER_TOOL], tool_choice: 'none' } });
      const seen = await side.waitFor('session.updated', (e) => e.session.instructions === 'set by the page');
      expect(seen.session.tools.map((t: { name: string }) => t.name)).toEqual(['get_weather']);
      expect(seen.session.tool_choice).toBe('none');
      // The browser's copy crosses the data channel (and its rtc host): waited for, not assumed there.
      expect((await browser.waitFor('session.updated', (e) => e.session.instructions === 'set by the page')).event_id).toBe(seen.event_id);

      // The server puts its fields back; only the fields it sends change.
      side.send({ type: 'session.update', session: { type: 'realtime', instructions: 'pinned by the server', tools: [ORDER_TOOL, WEATHER_TOOL], tool_choice: 'auto' } });
      const restored = await browser.waitFor('session.updated', (e) => e.session.instructions === 'pinned by the server');
      expect(restored.session.tools.map((t: { name: string }) => t.name)).toEqual(['lookup_order', 'get_weather']);
      expect(restored.session.tool_choice).toBe('auto');
      expect((await side.waitFor('session.updated', (e) => e.event_id === restored.event_id)).session.instructions).toBe('pinned by the server');
      expect(browser.ofType('session.updated').at(-1)?.session.instructions).toBe('pinned by the server');
    } finally {
      side.close();
    }
  }, 20_000);

  it('shows function calls on the sideband; its function_call_output and response.create make the agent speak the result', async () => {
    fx.sim = await startSim({ scenario: 'server-tool' });
    const { browser, side } = await callWithSideband();
    try {
      await browser.waitUntil(() => browser.received.length > 20, 5000, 'output frames');
      ask(browser, 'Where is my order?');
      const call = await side.waitFor('response.function_call_arguments.done', undefined, 10_000);
      expect(call).toMatchObject({ name: 'lookup_order', arguments: '{"order_id":"A-1042"}' });
      // The browser sees the same call (same event): a page must leave server tools alone.
      expect((await browser.waitFor('response.function_call_arguments.done', undefined, 5000)).event_id).toBe(call.event_id);
      await side.waitFor('response.done', (e) => e.response.id === call.response_id, 10_000);

      side.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ order_id: 'A-1042', status: 'shipped', eta: 'tomorrow' }) },
      });
      side.send({ type: 'response.create' });
      const spoken = await browser.waitFor('response.done', (e) => e.response.id !== call.response_id, 15_000);
      expect(spoken.response.status).toBe('completed');
      expect(spoken.response.output[0].content[0].transcript).toBe('Order A-1042 is shipped and arrives tomorrow.');
      await browser.waitFor('output_audio_buffer.stopped', (e) => e.response_id === spoken.response.id, 15_000);
      expect(browser.peakLevel(50)).toBeGreaterThan(0.05);
      expect(side.ofType('error')).toHaveLength(0);

      // The second turn calls a tool of the page: the page answers it on the same call.
      const before = browser.ofType('response.function_call_arguments.done').length;
      ask(browser, 'And the weather?');
      const pageCall = await browser.waitFor('response.function_call_arguments.done', (e) => e.name === 'get_weather', 10_000);
      expect(browser.ofType('response.function_call_arguments.done')).toHaveLength(before + 1);
      await browser.waitFor('response.done', (e) => e.response.id === pageCall.response_id, 10_000);
      browser.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: pageCall.call_id, output: '{"temperature_c":21}' } });
      browser.send({ type: 'response.create' });
      const weather = await side.waitFor('response.done', (e) => e.response.output[0]?.content?.[0]?.transcript === 'In Paris it is 21 degrees.', 15_000);
      expect(weather.response.status).toBe('completed');
    } finally {
      side.close();
    }
  }, 40_000);

  it("hangup closes the browser's call and the sideband", async () => {
    fx.sim = await startSim();
    const { browser, side } = await callWithSideband({ noAudio: true });
    const hangup = await fetch(`${fx.sim.url}/v1/realtime/calls/${browser.callId}/hangup`, { method: 'POST', ...STANDARD });
    expect(hangup.status).toBe(200);
    expect(await side.closed).toEqual({ code: 1000, reason: 'call ended' });
    await browser.waitUntil(() => !browser.open, 5000, 'the data channel to close');
    expect(fx.sim.stats().sessions).toBe(0);
  }, 20_000);

  it('applies the multipart session of the unified interface, and refuses an invalid one', async () => {
    fx.sim = await startSim();
    const session = { type: 'realtime', instructions: 'from the multipart session', tools: [ORDER_TOOL], audio: { output: { voice: 'cedar' } } };
    const browser = await connectTestClient(fx.sim.url, { key: STANDARD_KEY, session, noAudio: true });
    fx.clients.push(browser);
    const created = browser.first('session.created').session;
    expect(created).toMatchObject({ instructions: 'from the multipart session', model: 'gpt-realtime', audio: { output: { voice: 'cedar' } } });
    expect(created.tools).toEqual([ORDER_TOOL]);
    expect(browser.callId).toMatch(/^rtc_/);

    const bad = new FormData();
    bad.set('sdp', browser.answerSdp);
    bad.set('session', JSON.stringify({ type: 'realtime', instructons: 'typo' }));
    const refused = await fetch(`${fx.sim.url}/v1/realtime/calls`, { method: 'POST', headers: STANDARD.headers, body: bad });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'unknown_parameter' });
  }, 20_000);
});
