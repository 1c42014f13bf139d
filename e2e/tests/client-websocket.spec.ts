import { expect, test, type Page } from '@playwright/test';
import { assistantSaid, call, eventsOf, maxOutput, peerConnections, recorded, sentOf, sessionInfo, startClient, stopClient, waitFor } from '../support/client-page.js';
import { AUDIBLE, LONG_ANSWER, SILENT, VAD, messages } from '../support/fixtures.js';
import { useStack } from '../support/stack.js';

// @rtvoice/client over the WebSocket transport in real Chromium, against the
// sim's WebSocket endpoint: the mic goes up through the AudioWorklet as
// input_audio_buffer.append, the model's audio comes down as deltas and is
// played by the worklet through the page's WebRTC loopback. The fake mic plays
// `speech.wav` in a loop (0.5 s silence, ~3.5 s speech, 7 s silence).

const stack = useStack();


interface SocketInfo {
  url: string;
  protocols: string[];
  readyState: number;
  protocol: string;
}
const sockets = (page: Page) => page.evaluate(() => (window as unknown as { webSockets: () => SocketInfo[] }).webSockets());

test('a spoken turn over the WebSocket: the sim hears the mic, the answer is heard, and no peer connection carries the call', async ({ page }) => {
  await startClient(page, stack().url, { transport: 'websocket', session: VAD });
  const r0 = await recorded(page);
  expect(r0.connectError).toBeNull();
  expect(r0.states).toEqual(['connecting', 'connected']);

  const said = await waitFor(page, (r) => assistantSaid(r).find((t) => t.includes('(sim) you spoke for')), 30_000, 'the parrot answer');
  expect(said).toMatch(/you spoke for/);
  const r = await recorded(page);
  // Up: audio appends in small chunks; the server's VAD heard a whole turn.
  expect(r.appends).toBeGreaterThan(50);
  expect(r.eventTypes).toEqual(expect.arrayContaining(['input_audio_buffer.speech_started', 'input_audio_buffer.committed', 'response.output_audio.delta']));
  // Down: the output buffer events come from the page's own playback, and the answer is audible.
  const started = eventsOf(r, 'output_audio_buffer.started')[0]!;
  expect(started).toBeDefined();
  expect(maxOutput(r, started.at)).toBeGreaterThan(AUDIBLE);
  await waitFor(page, (x) => eventsOf(x, 'output_audio_buffer.stopped')[0], 15_000, 'the end of playback');
  // Auth: the ephemeral key as a subprotocol, `realtime` selected by the server; the URL from the token's calls URL.
  const [socket] = await sockets(page);
  expect(socket!.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime$/);
  expect(socket!.protocols).toEqual(['realtime', 'openai-insecure-api-key.ek_…']);
  expect(socket!.protocol).toBe('realtime');
  // Usage and turn metrics as over WebRTC.
  const info = await sessionInfo(page);
  expect(info.usage.responses).toBeGreaterThan(0);
  expect(r.metricsEvents.some((m) => m.kind === 'turn')).toBe(true);
  // Playback went through the page's WebRTC loopback (what Chromium's echo canceller hears); no SDP left the page.
  expect(await page.evaluate(() => (window as unknown as { sdpPosts: () => number }).sdpPosts())).toBe(0);
  const pcs = await peerConnections(page);
  expect(pcs.map((pc) => pc.connectionState)).toEqual(['connected', 'connected']);
  expect(pcs.flatMap((pc) => pc.channels)).toEqual([]);
  // disconnect() releases the socket, the loopback, the audio contexts and the mic.
  const after = await page.evaluate(() => (window as unknown as { disconnectAndInspect: () => Promise<Record<string, unknown>> }).disconnectAndInspect());
  expect(after.micStates).toEqual(['ended']);
  expect((after.peerConnections as Array<{ connectionState: string }>).map((pc) => pc.connectionState)).toEqual(['closed', 'closed']);
  expect(after.audioContexts).not.toContain('running');
  expect((await sockets(page)).map((s) => s.readyState)).toEqual([3]);
});

test('barge-in over the WebSocket: playback stops at once and the item is truncated to exactly what the page played', async ({ page }) => {
  await startClient(page, stack().url, { transport: 'websocket', tokenQuery: 'sim_scenario=long-answer', session: VAD });
  // The answer runs ~25 s; the fake mic speaks again ~7 s after it starts.
  const interrupted = await waitFor(page, (r) => r.interrupted[0], 40_000, 'an interruption');
  expect(interrupted).toMatchObject({ source: 'vad', itemId: expect.any(String) });
  expect(interrupted.remoteTrackEnabled).toBe(false);
  const truncateSent = await waitFor(page, (r) => sentOf(r, 'conversation.item.truncate')[0], 5000, 'the truncate');
  const truncated = await waitFor(page, (r) => eventsOf(r, 'conversation.item.truncated')[0], 5000, 'the truncated event');
  const r = await recorded(page);
  const started = eventsOf(r, 'output_audio_buffer.started').find((e) => e.response_id === interrupted.responseId)!;
  const audioEndMs = truncateSent.event.audio_end_ms as number;
  // The item that played, truncated to what the worklet played: the time it played, to within a few render quanta.
  expect(truncateSent.event.item_id).toBe(interrupted.itemId);
  expect(Math.abs(audioEndMs - (truncateSent.t - started.at))).toBeLessThan(60);
  expect(truncated).toMatchObject({ item_id: interrupted.itemId, audio_end_ms: audioEndMs });
  // Silent after the cut.
  await expect.poll(async () => (await recorded(page)).levels.filter((l) => l.t > interrupted.t + 100).length).toBeGreaterThan(10);
  const after = await recorded(page);
  expect(maxOutput(after, started.at, interrupted.t)).toBeGreaterThan(AUDIBLE);
  expect(maxOutput(after, interrupted.t + 150, interrupted.t + 1000)).toBeLessThan(SILENT);
  // No error from the server (a truncate beyond the audio would be one), and none reached the app. The only one
  // allowed is the race the WebRTC path has too: the session's own response.cancel after the server's VAD cancelled.
  expect(eventsOf(after, 'error').map((e) => (e.error as { code: string }).code).filter((c) => c !== 'response_cancel_not_active')).toEqual([]);
  expect(after.errors).toEqual([]);
  await expect.poll(async () => messages((await sessionInfo(page)).history).find((m) => m.id === interrupted.itemId)?.audioEndMs).toBe(audioEndMs);
  const item = messages((await sessionInfo(page)).history).find((m) => m.id === interrupted.itemId)!;
  expect(item).toMatchObject({ interrupted: true, status: 'incomplete' });
  expect(LONG_ANSWER.startsWith(item.text)).toBe(true);
  expect(item.text.length).toBeLessThan(LONG_ANSWER.length);
  await stopClient(page);
});

test('a tool call over the WebSocket: the tool runs in the page and the answer is spoken from its output', async ({ page }) => {
  await startClient(page, stack().url, { transport: 'websocket', tokenQuery: 'sim_scenario=tool-call', tool: 'weather', muted: true });
  expect(await call(page, 'sendText', 'What is the weather in Paris?')).toBeNull();
  const result = await waitFor(page, (r) => r.toolResults[0], 20_000, 'the tool result');
  expect(result).toMatchObject({ name: 'get_weather', result: { city: 'Paris', temperature_c: 21 } });
  await waitFor(page, (r) => assistantSaid(r).find((t) => t.includes('21 degrees')), 20_000, 'the answer from the tool output');
  const r = await recorded(page);
  expect(sentOf(r, 'conversation.item.create').some((s) => (s.event.item as { type: string }).type === 'function_call_output')).toBe(true);
  expect(r.errors).toEqual([]);
  await stopClient(page);
});
