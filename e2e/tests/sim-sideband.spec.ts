import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { assistantSaid, call, eventsOf, recorded, sessionInfo, startClient, stopClient, waitFor } from '../support/client-page.js';
import { useStack } from '../support/stack.js';

// The sim's sideband: a browser page makes a live WebRTC call with @rtvoice/client (through the
// @rtvoice/server token endpoint), and a server-side `ws` client attaches to that call with
// `GET /v1/realtime?call_id=rtc_…` and a standard key. It sees the browser's spoken turn, and a
// response it asks for is heard and recorded by the page.

const stack = useStack();

/** One utterance of the fake mic is one turn. */
const VAD = { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } };

type ServerEvent = { type: string; event_id: string; [k: string]: any };

/** Records the `rtc_…` id from the `Location` of the page's `/v1/realtime/calls` answer (exposed by the sim's CORS headers). */
async function captureCallIds(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __callIds: string[]; fetch: typeof fetch };
    w.__callIds = [];
    const native = window.fetch.bind(window);
    w.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await native(input, init);
      const url = input instanceof Request ? input.url : String(input);
      const location = res.headers.get('Location');
      if (/\/v1\/realtime\/calls(\?|$)/.test(url) && location) w.__callIds.push(location.split('/').pop() ?? '');
      return res;
    };
  });
}

/** A sideband socket and the events it received. */
async function attach(simUrl: string, callId: string): Promise<{ ws: WebSocket; events: ServerEvent[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${simUrl.replace(/^http/, 'ws')}/v1/realtime?call_id=${callId}`, { headers: { Authorization: 'Bearer sk-e2e-sideband' } });
  const events: ServerEvent[] = [];
  ws.on('message', (data) => events.push(JSON.parse(data.toString()) as ServerEvent));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, events, closed };
}

test('a server attaches to the page\'s live WebRTC call by call_id, sees its spoken turn, and its response.create is heard by the page', async ({ page }) => {
  await captureCallIds(page);
  await startClient(page, stack().url, { session: VAD });
  expect((await recorded(page)).connectError).toBeNull();
  const callId = await page.evaluate(() => (window as unknown as { __callIds: string[] }).__callIds[0]);
  expect(callId).toMatch(/^rtc_/);

  const side = await attach(stack().sim.url, callId!);
  try {
    // The fake mic's sentence, as the sideband sees it: VAD, the answer's transcript, response.done.
    const types = () => side.events.map((e) => e.type);
    await expect.poll(types, { timeout: 20_000 }).toEqual(
      expect.arrayContaining(['input_audio_buffer.speech_started', 'input_audio_buffer.committed', 'response.output_audio_transcript.done', 'response.done']),
    );
    // No session.created on attach, and the very same events as the page (same event ids).
    expect(types()).not.toContain('session.created');
    const firstDone = side.events.find((e) => e.type === 'response.done')!;
    const pageDone = await waitFor(page, (r) => eventsOf(r, 'response.done').find((e) => e.event_id === firstDone.event_id));
    expect(pageDone.response).toMatchObject({ id: firstDone.response.id, status: 'completed' });
    const transcript = side.events.find((e) => e.type === 'response.output_audio_transcript.done')!;
    expect(transcript.transcript).toMatch(/^\(sim\) you spoke for \d+\.\d s$/);
    await waitFor(page, (r) => (assistantSaid(r).includes(transcript.transcript) ? true : undefined));

    // Quiet the mic so that no new turn competes, and let any response in flight finish.
    expect(await call(page, 'mute')).toBeNull();
    await expect
      .poll(() => side.events.filter((e) => e.type === 'response.created').length === side.events.filter((e) => e.type === 'response.done').length, { timeout: 15_000 })
      .toBe(true);

    // The server speaks into the call: a user message and a response with instructions, from the sideband.
    side.ws.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello from the server side' }] } }));
    side.ws.send(JSON.stringify({ type: 'response.create', event_id: 'sideband_create', response: { instructions: 'Greet the caller on behalf of the server.' } }));
    const said = '(sim) you said: Hello from the server side';
    await waitFor(page, (r) => (assistantSaid(r).includes(said) ? true : undefined), 20_000, 'the page heard the sideband\'s response');
    const responseId = (await recorded(page)).transcripts.find((t) => t.role === 'assistant' && t.text === said)?.responseId;
    expect(responseId).toMatch(/^resp_/);
    // The sideband saw the response it started, from response.created to response.done.
    await expect.poll(() => side.events.filter((e) => e.type.startsWith('response.') && e.response?.id === responseId).map((e) => `${e.type}:${e.response.status}`), { timeout: 10_000 }).toEqual([
      'response.created:in_progress',
      'response.done:completed',
    ]);
    expect(side.events.some((e) => e.type === 'error')).toBe(false);
    // The page's history holds the server's message and the answer.
    const history = (await sessionInfo(page)).history;
    expect(history.some((i) => i.type === 'message' && i.role === 'user' && i.text === 'Hello from the server side')).toBe(true);
    expect(history.some((i) => i.type === 'message' && i.role === 'assistant' && i.text === said)).toBe(true);
    // The page plays it: the response's audio was streamed on its track.
    await waitFor(page, (rec) => eventsOf(rec, 'output_audio_buffer.started').find((e) => e.response_id === responseId));

    // The browser hangs up: the call ends and the sideband is closed with 1000.
    await stopClient(page);
    expect(await side.closed).toBe(1000);
  } finally {
    side.ws.close();
  }
});
