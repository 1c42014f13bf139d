/**
 * A long conversation compressed into a few minutes (typed turns with a tool
 * call each, every third interrupted, and the fake mic's own voice turns and
 * barge-ins every ~11 s) on one rtvoice session over the realistic network:
 * heap, DOM event listeners, live timers, audio nodes and audio contexts
 * before and after (after GC), and the page's CPU while connected and idle
 * and while talking. A benchmark, not a test: it asserts only that the turns
 * happened.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { REALISTIC, startBenchStack } from './bench-stack.js';
import { writeResult } from './results.js';

const TURNS = Number(process.env.SOAK_TURNS ?? 90);

/** The agent: every turn (typed or spoken) is a filler, a call to the page's lookup tool and a sentence built from its result. */
function soakScenario(): string {
  const turn = {
    steps: [
      { say: 'One moment.' },
      { call: { name: 'lookup', arguments: { id: 7 } } },
      { say: 'Order {{output.id}} is {{output.status}}, it arrives on {{output.day}}.' },
    ],
  };
  // Enough turns for the typed ones and the fake mic's (one every ~11 s).
  const scenario = { name: 'bench-soak', turns: Array.from({ length: 2 * TURNS + 50 }, () => turn), after: 'parrot' };
  const file = join(tmpdir(), `rtvoice-bench-soak-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

async function snapshot(page: Page, cdp: CDPSession) {
  for (let i = 0; i < 3; i += 1) await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(300); // FinalizationRegistry callbacks run after the collection
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const counters = await page.evaluate(() => (window as any).probe.counters());
  return { heapUsedKB: Math.round(heap.usedSize / 1024), jsEventListeners: dom.jsEventListeners, domNodes: dom.nodes, ...counters };
}

/** The page's main-thread busy time over `ms`, as a fraction of one core. */
async function cpu(page: Page, cdp: CDPSession, ms: number): Promise<number> {
  const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
  const a = await task();
  const t0 = Date.now();
  await page.waitForTimeout(ms);
  return (await task()) - a === 0 ? 0 : ((await task()) - a) / ((Date.now() - t0) / 1000);
}

test('long session: memory, listeners, timers, audio nodes and CPU over a compressed long conversation', async ({ browser }) => {
  test.setTimeout(15 * 60_000);
  const stack = await startBenchStack(REALISTIC, ['--scenario-file', soakScenario()]);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${stack.siteUrl}/session.html?sim=${encodeURIComponent(stack.simUrl)}`);
    const empty = await snapshot(page, cdp);
    await page.evaluate(() => (window as any).startSoak());
    await page.evaluate(() => (window as any).soakTurns(3)); // warm-up: code paths, caches
    const before = await snapshot(page, cdp);
    const t0 = Date.now();
    const run = await page.evaluate((n) => (window as any).soakTurns(n), TURNS);
    const seconds = (Date.now() - t0) / 1000;
    expect(run.turns).toBe(TURNS);
    const after = await snapshot(page, cdp);
    // CPU: connected with the mic muted and nothing playing; then while a long answer plays.
    await page.evaluate(() => (window as any).session.mute());
    await page.waitForTimeout(1500);
    const idle = await cpu(page, cdp, 5000);
    await page.evaluate(() => (window as any).session.sendText('Tell me everything.'));
    await page.waitForTimeout(1000);
    const talking = await cpu(page, cdp, 3000);
    await page.evaluate(() => (window as any).stopClient());
    const closed = await snapshot(page, cdp);
    const result = { turns: TURNS, seconds, run, snapshots: { empty, before, after, closed }, cpu: { idle, talking } };
    writeResult('long-session', result);
    console.log(`\nlong session: ${TURNS} typed turns (${run.toolCalls} tool calls, ${run.responses} responses, ${run.interrupted} interrupted by hand, ${run.timedOut} turns cut at 8 s) plus the mic's voice turns, in ${seconds.toFixed(0)} s; history ${run.history} items`);
    console.log(`${''.padEnd(22)}${'page loaded'.padStart(12)}${'connected'.padStart(12)}${`+${TURNS} turns`.padStart(12)}${'disconnected'.padStart(14)}`);
    for (const k of Object.keys(before) as (keyof typeof before)[]) {
      console.log(`${String(k).padEnd(22)}${String(empty[k]).padStart(12)}${String(before[k]).padStart(12)}${String(after[k]).padStart(12)}${String(closed[k]).padStart(14)}`);
    }
    console.log(`page CPU (main thread, share of one core): connected and idle ${(idle * 100).toFixed(1)} %, while the answer plays ${(talking * 100).toFixed(1)} %`);
  } finally {
    await context.close();
    await stack.close();
  }
});
