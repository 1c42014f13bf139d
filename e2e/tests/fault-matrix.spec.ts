/**
 * The fault matrix, in Chromium against the sim and the real token endpoint: for each fault, the
 * exact error code, the state sequence, no uncaught error in the page, the microphone released,
 * and the same session connects again afterwards. (SDP, data channel, audio and malformed-event
 * faults: sim-faults.spec.ts; WebSocket faults: client-websocket.spec.ts; ICE blocked:
 * client-websocket-fallback.spec.ts.)
 */
import { expect, test, type Page } from '@playwright/test';
import { call, pageFn, recorded, sessionInfo, stopClient, waitFor, type StartOptions } from '../support/client-page.js';
import { connectsAgain, watchProblems as watch } from '../support/faults.js';
import { useStack } from '../support/stack.js';

const stack = useStack();

async function open(page: Page): Promise<void> {
  await page.goto(`${stack().url}/client.html`);
}

const start = (page: Page, options: StartOptions = {}) => page.evaluate((o) => (window as unknown as { start: (o: StartOptions) => Promise<void> }).start(o), options);

test.describe('the token endpoint fails', () => {
  for (const [fault, expected] of [
    ['500', { code: 'token_fetch_failed', status: 500, retryable: true, message: 'The token endpoint answered 500 (internal): Token endpoint crashed.' }],
    ['malformed', { code: 'token_fetch_failed', retryable: false }],
    ['shape', { code: 'token_fetch_failed', retryable: false }],
    ['hang', { code: 'connect_timeout', message: 'No session after 2000 ms (waiting for the token).' }],
  ] as const) {
    test(`token endpoint ${fault}: ${expected.code}; the mic is released and the next connect works`, async ({ page }) => {
      const problems = watch(page);
      await open(page);
      await start(page, { tokenQuery: `token_fault=${fault}&token_fault_times=1`, connectTimeoutMs: 2000 });
      const r = await recorded(page);
      expect(r.connectError).toMatchObject(expected);
      expect(r.connectError!.message).not.toMatch(/ek_/);
      expect(r.states).toEqual(['connecting', 'failed']);
      expect(r.errors.map((e) => e.code)).toEqual([expected.code]);
      await expect.poll(async () => (await recorded(page)).openedMicStates).toEqual(['ended']);
      await connectsAgain(page);
      expect(problems).toEqual([]);
    });
  }
});

test.describe('the microphone fails', () => {
  // A busy microphone may free up (retryable); a refusal or a missing device does not by itself.
  for (const [name, code, message, retryable] of [
    ['NotAllowedError', 'mic_permission_denied', 'Microphone access denied.', false],
    ['NotFoundError', 'mic_not_found', 'No matching microphone.', false],
    ['NotReadableError', 'mic_in_use', 'The microphone is busy or failing.', true],
  ] as const) {
    test(`getUserMedia ${name}: ${code}, nothing stays open, the next connect works`, async ({ page }) => {
      const problems = watch(page);
      await open(page);
      await pageFn(page, 'failNextGetUserMedia', name);
      await start(page);
      const r = await recorded(page);
      expect(r.connectError).toMatchObject({ code, message, retryable });
      expect(r.states).toEqual(['connecting', 'failed']);
      expect(r.errors.map((e) => e.code)).toEqual([code]);
      // The offer made meanwhile was closed: no peer connection is left open.
      const pcs = await page.evaluate(() => (window as unknown as { peerConnections: () => Array<{ connectionState: string; signalingState: string }> }).peerConnections());
      expect(pcs.every((pc) => pc.signalingState === 'closed')).toBe(true);
      await connectsAgain(page);
      expect(problems).toEqual([]);
    });
  }

  for (const transport of ['webrtc', 'websocket'] as const) {
    test(`${transport}: unplugged mid-session, the session fails with mic_failed (not a deaf 'connected'), and connects again`, async ({ page }) => {
      const problems = watch(page);
      await open(page);
      await start(page, transport === 'websocket' ? { transport } : {});
      expect((await sessionInfo(page)).state).toBe('connected');
      await pageFn(page, 'endMicTrack');
      await waitFor(page, (r) => (r.states.at(-1) === 'failed' ? true : undefined), 5000, 'failed');
      const r = await recorded(page);
      expect(r.states).toEqual(['connecting', 'connected', 'failed']);
      expect(r.errors.map((e) => e.code)).toEqual(['mic_failed']);
      await connectsAgain(page);
      expect(problems).toEqual([]);
    });
  }
});

for (const transport of ['webrtc', 'websocket'] as const) {
  test(`${transport}: a listener that throws is reported as listener_error and the conversation goes on`, async ({ page }) => {
    const problems = watch(page);
    await open(page);
    await start(page, transport === 'websocket' ? { transport } : {});
    await pageFn(page, 'addThrowingListener', 'serverEvent');
    // The fake mic speaks; the parrot answers: the whole turn is handled despite the bug.
    const r = await waitFor(page, (x) => (x.eventTypes.includes('response.done') ? x : undefined), 30_000, 'a full turn');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(new Set(r.errors.map((e) => e.code))).toEqual(new Set(['listener_error']));
    expect(r.errors[0]!.message).toBe("A 'serverEvent' listener threw.");
    expect(r.states).toEqual(['connecting', 'connected']);
    await stopClient(page);
    expect(problems).toEqual([]);
  });
}

test.describe('the token expires between prepare() and connect()', () => {
  test('after prepare(), a stale token is not used: connect() fetches a new one and connects', async ({ page }) => {
    const problems = watch(page);
    await open(page);
    // Keys valid for 2 s; connect() 3 s after prepare().
    await start(page, { tokenQuery: `sim_fault=${encodeURIComponent('key_ttl=2')}`, prepare: 'local', prepareWaitMs: 3000 });
    const r = await recorded(page);
    expect(r.connectError).toBeNull();
    expect(r.metrics).toMatchObject({ prepared: 'none' });
    expect((await sessionInfo(page)).state).toBe('connected');
    await stopClient(page);
    expect(problems).toEqual([]);
  });

  test('control: a fresh prepared token is used as prepared', async ({ page }) => {
    await open(page);
    await start(page, { prepare: 'local', prepareWaitMs: 200 });
    expect((await recorded(page)).metrics).toMatchObject({ prepared: 'local' });
    await stopClient(page);
  });

  test('a prepared connection outlives its key: connect() only attaches the mic', async ({ page }) => {
    await open(page);
    await start(page, { tokenQuery: `sim_fault=${encodeURIComponent('key_ttl=2')}`, prepare: 'connection', prepareWaitMs: 3000 });
    expect((await recorded(page)).metrics).toMatchObject({ prepared: 'connection' });
    expect((await sessionInfo(page)).state).toBe('connected');
    await stopClient(page);
  });
});

test('websocket: the socket drops mid-conversation; rtvoice reconnects on a new socket with a fresh token, replays the history, and the conversation goes on', async ({ page }) => {
  const problems = watch(page);
  await open(page);
  // Only the first token carries the fault: the sim drops that session's socket 5 s after it opened.
  await start(page, {
    transport: 'websocket',
    firstTokenQuery: `sim_fault=${encodeURIComponent('dc=after:5000')}`,
    muted: true,
    session: { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } } },
  });
  await call(page, 'sendText', 'Remember the number forty two.');
  await waitFor(page, (r) => (r.responses.length > 0 ? true : undefined), 10_000);
  const texts = async () => (await sessionInfo(page)).history.flatMap((i) => (i.type === 'message' ? [i.text] : []));
  await expect.poll(texts).toEqual(['Remember the number forty two.', '(sim) you said: Remember the number forty two.']);
  await expect.poll(async () => (await recorded(page)).states, { timeout: 20_000 }).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  const r = await recorded(page);
  expect(r.tokenRequests.map((t) => t.url.includes('sim_fault'))).toEqual([true, false]);
  // Replayed on the new socket, in order, and nothing asked by itself.
  const onWs = r.sent.filter((s) => s.pc === 'ws');
  const replayed = onWs.filter((s) => s.event.type === 'conversation.item.create').map((s) => (s.event.item as { content: Array<{ text: string }> }).content[0]!.text);
  expect(replayed.slice(-2)).toEqual(['Remember the number forty two.', '(sim) you said: Remember the number forty two.']);
  // The conversation goes on: a new typed turn is answered after the history.
  await call(page, 'sendText', 'And now?');
  await expect.poll(texts, { timeout: 15_000 }).toEqual([
    'Remember the number forty two.',
    '(sim) you said: Remember the number forty two.',
    'And now?',
    '(sim) you said: And now?',
  ]);
  expect((await recorded(page)).errors).toEqual([]);
  await stopClient(page);
  expect(problems).toEqual([]);
});
