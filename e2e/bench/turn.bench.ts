/**
 * Turn latency over the two transports, side by side in one run: the same
 * Chromium page, the same sim (parrot agent), the fake mic speaking one
 * utterance every ~11 s. Measured at the page: the server's `speech_stopped`
 * arriving → the assistant's audio audible in the session's output (the
 * remote track over WebRTC; the worklet's playback through the page's WebRTC
 * loopback over the WebSocket, and once without that loopback to show its
 * cost). A benchmark, not a test: it asserts only that turns were measured.
 */
import { expect, test, type Page } from '@playwright/test';
import { median, openBenchPage } from './bench-pages.js';

const TURNS = Number(process.env.TURNS ?? 5);

type Result = { heard: number[]; metric: number[] };
const run = (page: Page, transport: 'webrtc' | 'websocket' | 'websocket-direct') =>
  page.evaluate(([t, n]) => (window as unknown as { turnLatency: (t: string, n: number) => Promise<Result> }).turnLatency(t, n), [transport, TURNS] as const);

test('turn latency: speech end → answer audible at the page, WebRTC vs WebSocket', async ({ page }) => {
  test.setTimeout(TURNS * 3 * 20_000 + 60_000);
  const bench = await openBenchPage(page);
  try {
    const webrtc = await run(page, 'webrtc');
    const websocket = await run(page, 'websocket');
    const direct = await run(page, 'websocket-direct');
    expect(webrtc.heard.length).toBeGreaterThan(0);
    expect(websocket.heard.length).toBeGreaterThan(0);
    expect(direct.heard.length).toBeGreaterThan(0);
    const w = median(webrtc.heard);
    const s = median(websocket.heard);
    const d = median(direct.heard);
    console.log(`speech_stopped at the page → answer audible at the page, ${TURNS} turns each, loopback sim (parrot), Chromium:`);
    console.log(`  WebRTC      median ${w.toFixed(0)} ms  (${webrtc.heard.map((x) => x.toFixed(0)).join(', ')})  session metric speechToAudioMs median ${median(webrtc.metric).toFixed(0)} ms`);
    console.log(`  WebSocket   median ${s.toFixed(0)} ms  (${websocket.heard.map((x) => x.toFixed(0)).join(', ')})  session metric speechToAudioMs median ${median(websocket.metric).toFixed(0)} ms`);
    console.log(`  WebSocket without the echo-cancellation loopback   median ${d.toFixed(0)} ms  (${direct.heard.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  ratio WebSocket / WebRTC: ${(s / w).toFixed(2)}; without the loopback: ${(d / w).toFixed(2)}`);
  } finally {
    await bench.close();
  }
});

test('barge-in: speech_started at the page → the answer silenced at the page, WebRTC vs WebSocket', async ({ page }) => {
  const n = Number(process.env.BARGE_INS ?? 3);
  test.setTimeout(n * 2 * 50_000 + 60_000);
  const bench = await openBenchPage(page);
  try {
    const measure = (t: 'webrtc' | 'websocket') => page.evaluate(([tr, k]) => (window as unknown as { bargeIn: (t: string, n: number) => Promise<number[]> }).bargeIn(tr, k), [t, n] as const);
    const webrtc = await measure('webrtc');
    const websocket = await measure('websocket');
    expect(webrtc.length).toBeGreaterThan(0);
    expect(websocket.length).toBeGreaterThan(0);
    console.log(`speech_started at the page → output silent at the page (goal ≤ 20 ms), ${n} barge-ins each, long-answer scenario:`);
    console.log(`  WebRTC      median ${median(webrtc).toFixed(1)} ms  (${webrtc.map((x) => x.toFixed(1)).join(', ')})`);
    console.log(`  WebSocket   median ${median(websocket).toFixed(1)} ms  (${websocket.map((x) => x.toFixed(1)).join(', ')})`);
  } finally {
    await bench.close();
  }
});
