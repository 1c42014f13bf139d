/**
 * Side-by-side connect latency, in one run: rtvoice's client and OpenAI's
 * @openai/agents-realtime WebRTC transport, alternating, against the same local
 * sim in the same Chromium page. Reports medians and the ratio. A benchmark,
 * not a test: it asserts only that both clients connected.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startSimProcess } from '../support/sim-process.js';
import { startStaticServer } from '../support/static-server.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url)).replace(/\/$/, '');
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p90 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;

type Fn = 'connectRtvoice' | 'connectAgentsSdk';
const run = (page: Page, fn: Fn) => page.evaluate((name) => (window as unknown as Record<string, () => Promise<number>>)[name]!(), fn);

test('connect → first server event: @rtvoice/client vs @openai/agents-realtime', async ({ page }) => {
  const sim = await startSimProcess();
  const statics = await startStaticServer({
    '/vendor/': dir('../node_modules/@openai/agents-realtime/dist/bundle/'),
    '/widget/': dir('../../packages/widget/dist/'),
    '/': dir('../pages/'),
  });
  try {
    await page.goto(`${statics.url}/bench.html?sim=${encodeURIComponent(sim.url)}`);
    // Warm both paths once: the first getUserMedia and module loads are slower.
    await run(page, 'connectRtvoice');
    await run(page, 'connectAgentsSdk');
    const rtvoice: number[] = [];
    const agents: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      rtvoice.push(await run(page, 'connectRtvoice'));
      agents.push(await run(page, 'connectAgentsSdk'));
    }
    expect(rtvoice.every((ms) => ms > 0) && agents.every((ms) => ms > 0)).toBe(true);
    const r = median(rtvoice);
    const a = median(agents);
    console.log(`connect() → session.created, key minted beforehand, ${ROUNDS} alternating rounds, loopback sim, Chromium:`);
    console.log(`  @rtvoice/client           median ${r.toFixed(1)} ms   p90 ${p90(rtvoice).toFixed(1)} ms`);
    console.log(`  @openai/agents-realtime   median ${a.toFixed(1)} ms   p90 ${p90(agents).toFixed(1)} ms`);
    console.log(`  ratio rtvoice / agents-realtime: ${(r / a).toFixed(2)}`);
  } finally {
    await statics.close();
    await sim.stop();
  }
});
