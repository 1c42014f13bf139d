/**
 * The fault matrix, continued: the network and the server misbehaving around and during a call, in
 * Chromium against the sim and the real token endpoint. WebRTC with no fallback (ICE blocked at
 * connect, the network dying mid-call), the WebSocket closing in the middle of an answer, and
 * server events of a type the client does not know. For each: the exact code and message, the
 * state sequence, no uncaught or console error, the mic released, the app connects again, and with
 * reconnection the conversation goes on with its history.
 */
import { expect, test, type Page } from '@playwright/test';
import { call, peerConnections, recorded, sessionInfo, startClient, stopClient, waitFor, type StartOptions } from '../support/client-page.js';
import { connectsAgain, watchProblems } from '../support/faults.js';
import { useStack } from '../support/stack.js';

const stack = useStack();

const fault = (spec: string) => `sim_fault=${encodeURIComponent(spec)}`;

/** The session's message texts, in history order. */
const texts = async (page: Page) => (await sessionInfo(page)).history.flatMap((i) => (i.type === 'message' ? [i.text] : []));

/** A typed turn: the text is sent, the parrot's answer is in the history. */
async function typedTurn(page: Page, text: string): Promise<void> {
  await call(page, 'sendText', text);
  await expect.poll(async () => (await texts(page)).slice(-2), { timeout: 15_000 }).toEqual([text, `(sim) you said: ${text}`]);
}

/** A call that failed left nothing behind: the mic released, its one peer connection closed, the page connects again, nothing logged. */
async function endedCleanly(page: Page, r: Awaited<ReturnType<typeof recorded>>, problems: string[]): Promise<void> {
  expect(r.openedMicStates).toEqual(['ended']);
  expect((await peerConnections(page)).map((pc) => pc.signalingState)).toEqual(['closed']);
  await connectsAgain(page);
  expect(problems).toEqual([]);
}

/** Typed turns only: the fake mic stays muted so it cannot start turns of its own. */
const TYPED: StartOptions = { muted: true, session: { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } } } };

test.describe('WebRTC only (no fallback): UDP blocked, ICE never connects', () => {
  test('connect_timeout that says it waited for ICE; the mic and the peer connection released; connects again on an open network', async ({ page }) => {
    const problems = watchProblems(page);
    // Only the first token carries the fault: the second connect is on an open network.
    await startClient(page, stack().url, { firstTokenQuery: fault('ice=blackhole'), connectTimeoutMs: 5000 });
    const r = await recorded(page);
    expect(r.connectError).toMatchObject({
      code: 'connect_timeout',
      message: 'No session after 5000 ms (waiting for ICE: no network path to the media server yet, UDP may be blocked).',
      retryable: true,
    });
    expect(r.states).toEqual(['connecting', 'failed']);
    expect(r.errors.map((e) => e.code)).toEqual(['connect_timeout']);
    await endedCleanly(page, r, problems);
  });

  test('with a connect timeout longer than Chromium waits, ICE gives up first: ice_failed', async ({ page }) => {
    test.setTimeout(90_000);
    const problems = watchProblems(page);
    await startClient(page, stack().url, { firstTokenQuery: fault('ice=blackhole'), connectTimeoutMs: 60_000 });
    const r = await recorded(page);
    expect(r.connectError).toMatchObject({ code: 'ice_failed', message: 'WebRTC could not connect: ICE failed (UDP to the media server may be blocked).', retryable: true });
    expect(r.states).toEqual(['connecting', 'failed']);
    expect(r.errors.map((e) => e.code)).toEqual(['ice_failed']);
    expect(r.openedMicStates).toEqual(['ended']);
    await connectsAgain(page);
    expect(problems).toEqual([]);
  });
});

test.describe('the network dies mid-call (ice=cut_after: every datagram dropped, nobody told)', () => {
  test('rtvoice notices, reconnects with a fresh token and peer connection, replays the history with what was typed into the dead network, and the conversation goes on', async ({ page }) => {
    test.setTimeout(90_000);
    const problems = watchProblems(page);
    await startClient(page, stack().url, { ...TYPED, firstTokenQuery: fault('ice=cut_after:4000') });
    await typedTurn(page, 'Remember the number forty two.');
    // Chromium's consent checks notice the silence: ICE disconnected. The user, hearing nothing, types.
    await expect.poll(async () => (await peerConnections(page))[0]?.connectionState, { timeout: 30_000 }).toBe('disconnected');
    expect((await recorded(page)).states.at(-1)).toBe('connected');
    await call(page, 'sendText', 'Are you there?');
    const before = [...(await texts(page)), 'Are you there?'];
    // The transport's 5 s grace runs out: reconnection.
    await expect.poll(async () => (await recorded(page)).states, { timeout: 40_000 }).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    // Nothing typed is lost: the message the dead network swallowed is sent again, and answered.
    await expect.poll(async () => (await texts(page)).slice(-2), { timeout: 15_000 }).toEqual(['Are you there?', '(sim) you said: Are you there?']);
    const r = await recorded(page);
    expect(r.tokenRequests.map((t) => t.url.includes('sim_fault'))).toEqual([true, false]);
    const pcs = await peerConnections(page);
    expect(pcs.map((pc) => pc.signalingState)).toEqual(['closed', 'stable']);
    expect(pcs[1]).toMatchObject({ connectionState: 'connected', channels: ['open'] });
    // The history, replayed on the new connection in order, and nothing asked by itself.
    const replayed = r.sent.filter((s) => s.pc === 1 && s.event.type === 'conversation.item.create').map((s) => (s.event.item as { content: Array<{ text: string }> }).content[0]!.text);
    expect(replayed).toEqual(before);
    // One response asked for, for the message sent again.
    expect(r.sent.filter((s) => s.pc === 1 && s.event.type === 'response.create')).toHaveLength(1);
    await typedTurn(page, 'And now?');
    expect(await texts(page)).toEqual([...before, '(sim) you said: Are you there?', 'And now?', '(sim) you said: And now?']);
    expect((await recorded(page)).errors).toEqual([]);
    await stopClient(page);
    expect((await recorded(page)).openedMicStates).toEqual(['ended']);
    expect(problems).toEqual([]);
  });

  test('with reconnection off: ice_failed, failed, the mic released, and the app connects again', async ({ page }) => {
    test.setTimeout(90_000);
    const problems = watchProblems(page);
    await startClient(page, stack().url, { ...TYPED, firstTokenQuery: fault('ice=cut_after:4000'), reconnect: false });
    await typedTurn(page, 'Hello there.');
    await expect.poll(async () => (await recorded(page)).states, { timeout: 40_000 }).toEqual(['connecting', 'connected', 'failed']);
    const r = await recorded(page);
    expect(r.errors.map((e) => e.code)).toEqual(['ice_failed']);
    expect(r.errors[0]!.message).toMatch(/^The WebRTC connection was lost: ICE (disconnected for 5000 ms|failed)\.$/);
    await endedCleanly(page, r, problems);
  });
});

test("the sim's native WebRTC stack crashes mid-call (rtc=crash_after: its host process dies of SIGSEGV): rtvoice reconnects, the sim serves the new call, and the conversation goes on", async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchProblems(page);
  await startClient(page, stack().url, { ...TYPED, firstTokenQuery: fault('rtc=crash_after:5000') });
  await typedTurn(page, 'Remember the number forty two.');
  // The host's UDP socket is gone: Chromium's consent checks fail, rtvoice's grace runs out.
  await expect.poll(async () => (await recorded(page)).states, { timeout: 45_000 }).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  expect((await recorded(page)).tokenRequests.map((t) => t.url.includes('sim_fault'))).toEqual([true, false]);
  await typedTurn(page, 'And now?');
  expect(await texts(page)).toEqual(['Remember the number forty two.', '(sim) you said: Remember the number forty two.', 'And now?', '(sim) you said: And now?']);
  expect((await recorded(page)).errors).toEqual([]);
  // The crash is in the sim's log, with its signal, and the sim lived on.
  expect(stack().sim.output()).toMatch(/rtc host died.*signal=SIGSEGV/);
  await stopClient(page);
  expect(problems).toEqual([]);
});

test.describe('the connection closes in the middle of an answer (dc=mid_response: the data channel or the WebSocket, after the first delta)', () => {
  for (const transport of ['webrtc', 'websocket'] as const) {
    test(`${transport}: rtvoice reconnects, keeps the cut answer as heard, replays the history, and the conversation goes on`, async ({ page }) => {
      const problems = watchProblems(page);
      await startClient(page, stack().url, { ...TYPED, ...(transport === 'websocket' && { transport }), firstTokenQuery: fault('dc=mid_response') });
      await call(page, 'sendText', 'Tell me about the weather.');
      await expect.poll(async () => (await recorded(page)).states, { timeout: 20_000 }).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
      const r = await recorded(page);
      expect(r.tokenRequests.map((t) => t.url.includes('sim_fault'))).toEqual([true, false]);
      // The answer had started when the socket dropped: it stays in the history, cut off, with what had arrived.
      expect(r.eventTypes).toContain('response.output_audio_transcript.delta');
      const [asked, cut] = (await sessionInfo(page)).history;
      expect(asked).toMatchObject({ role: 'user', text: 'Tell me about the weather.', status: 'completed' });
      expect(cut).toMatchObject({ role: 'assistant', status: 'incomplete', interrupted: true, text: expect.stringMatching(/^\(sim\)/) });
      // Replayed on the new connection (after its session.update), in order, and nothing asked by itself.
      const sent = r.sent.map((s) => s.event);
      const onNewSocket = sent.slice(sent.map((e) => e.type).lastIndexOf('session.update') + 1);
      expect(onNewSocket.map((e) => [e.type, (e.item as { content?: Array<{ text: string }> } | undefined)?.content?.[0]?.text])).toEqual([
        ['conversation.item.create', 'Tell me about the weather.'],
        ['conversation.item.create', (cut as { text: string }).text],
      ]);
      await typedTurn(page, 'And now?');
      expect((await recorded(page)).errors).toEqual([]);
      await stopClient(page);
      expect(problems).toEqual([]);
    });
  }

  test('websocket, with reconnection off: websocket_closed (1006), failed, the mic released, and the app connects again', async ({ page }) => {
    const problems = watchProblems(page);
    await startClient(page, stack().url, { ...TYPED, transport: 'websocket', firstTokenQuery: fault('dc=mid_response'), reconnect: false });
    await call(page, 'sendText', 'Tell me about the weather.');
    await expect.poll(async () => (await recorded(page)).states, { timeout: 20_000 }).toEqual(['connecting', 'connected', 'failed']);
    const r = await recorded(page);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'websocket_closed', message: 'The WebSocket closed (1006).', retryable: true })]);
    expect(r.openedMicStates).toEqual(['ended']);
    await connectsAgain(page);
    expect(problems).toEqual([]);
  });
});

for (const transport of ['webrtc', 'websocket'] as const) {
  test(`${transport}: a server event of an unknown type mid-answer reaches serverEvent listeners, is no error, and the answer completes`, async ({ page }) => {
    const problems = watchProblems(page);
    await startClient(page, stack().url, { ...TYPED, ...(transport === 'websocket' && { transport }), tokenQuery: fault('unknown=mid_response') });
    await typedTurn(page, 'Hello there.');
    const r = await waitFor(page, (x) => (x.eventTypes.includes('response.done') ? x : undefined));
    const at = r.eventTypes.indexOf('conversation.item.annotation.added');
    expect(at).toBeGreaterThan(r.eventTypes.indexOf('response.output_audio_transcript.delta'));
    expect(at).toBeLessThan(r.eventTypes.indexOf('response.done'));
    expect(r.events[at]).toMatchObject({ type: 'conversation.item.annotation.added', annotation: { kind: 'sim_unknown_event' } });
    expect(r.transcripts.filter((t) => t.role === 'assistant').map((t) => t.text)).toEqual(['(sim) you said: Hello there.']);
    expect(r.responses.map((x) => x.status)).toEqual(['completed']);
    expect(r.errors).toEqual([]);
    expect(r.states).toEqual(['connecting', 'connected']);
    await stopClient(page);
    expect(problems).toEqual([]);
  });
}
