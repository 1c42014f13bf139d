/**
 * Turn latency over the two transports, side by side in one run: the same
 * Chromium page, the same sim (parrot agent), the fake mic speaking one
 * utterance every ~11 s. Measured at the page: the server's `speech_stopped`
 * arriving → the assistant's audio audible in the session's output (the
 * remote track over WebRTC; the worklet's playback through the page's WebRTC
 * loopback over the WebSocket). A benchmark, not a test: it asserts only that
 * turns were measured.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startSimProcess } from '../support/sim-process.js';
import { startStaticServer } from '../support/static-server.js';

const TURNS = Number(process.env.TURNS ?? 5);
const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url)).replace(/\/$/, '');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Result = { heard: number[]; metric: number[] };
const run = (page: Page, transport: 'webrtc' | 'websocket') =>
  page.evaluate(([t, n]) => (window as unknown as { turnLatency: (t: string, n: number) => Promise<Result> }).turnLatency(t, n), [transport, TURNS] as const);

test('turn latency: speech end → answer audible at the page, WebRTC vs WebSocket', async ({ page }) => {
  test.setTimeout(TURNS * 2 * 20_000 + 60_000);
  const sim = await startSimProcess();
  const statics = await startStaticServer({
    '/vendor/': dir('../node_modules/@openai/agents-realtime/dist/bundle/'),
    '/widget/': dir('../../packages/widget/dist/'),
    '/': dir('../pages/'),
  });
  try {
    await page.goto(`${statics.url}/bench.html?sim=${encodeURIComponent(sim.url)}`);
    const webrtc = await run(page, 'webrtc');
    const websocket = await run(page, 'websocket');
    expect(webrtc.heard.length).toBeGreaterThan(0);
    expect(websocket.heard.length).toBeGreaterThan(0);
    const w = median(webrtc.heard);
    const s = median(websocket.heard);
    console.log(`speech_stopped at the page → answer audible at the page, ${TURNS} turns each, loopback sim (parrot), Chromium:`);
    console.log(`  WebRTC      median ${w.toFixed(0)} ms  (${webrtc.heard.map((x) => x.toFixed(0)).join(', ')})  session metric speechToAudioMs median ${median(webrtc.metric).toFixed(0)} ms`);
    console.log(`  WebSocket   median ${s.toFixed(0)} ms  (${websocket.heard.map((x) => x.toFixed(0)).join(', ')})  session metric speechToAudioMs median ${median(websocket.metric).toFixed(0)} ms`);
    console.log(`  ratio WebSocket / WebRTC: ${(s / w).toFixed(2)}`);
  } finally {
    await statics.close();
    await sim.stop();
  }
});
