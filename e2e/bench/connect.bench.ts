/**
 * Side-by-side connect latency, in one run: rtvoice's client and OpenAI's
 * @openai/agents-realtime WebRTC transport, alternating, against the same local
 * sim in the same Chromium page. Reports medians and the ratio. A benchmark,
 * not a test: it asserts only that both clients connected.
 */
import { expect, test, type Page } from '@playwright/test';
import { median, openBenchPage, p90 } from './bench-pages.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);

type Fn = 'connectRtvoice' | 'connectAgentsSdk';
const run = (page: Page, fn: Fn) => page.evaluate((name) => (window as unknown as Record<string, () => Promise<number>>)[name]!(), fn);

test('connect → first server event: @rtvoice/client vs @openai/agents-realtime', async ({ page }) => {
  const bench = await openBenchPage(page);
  try {
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
    await bench.close();
  }
});
