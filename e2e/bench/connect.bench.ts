/**
 * Click → first assistant audio, side by side in one run: rtvoice (connect(),
 * after prepare(), after prepare({ connect: true })), the official quick start
 * written by hand, and @openai/agents-realtime, on a realistic network
 * (40 ms each way to the Realtime endpoint, 10 ms to the site) and on bare
 * loopback. Every connect is a new visitor's (a new page, no connection open
 * to the site or the endpoint, no CORS preflight cached), and the clients
 * alternate round by round. A benchmark, not a test: it asserts
 * only that every connect produced audio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { makeSilentWav } from '../support/audio.js';
import { chromiumArgs } from '../support/chromium.js';
import { SILENT_WAV } from '../support/paths.js';
import { LOOPBACK, REALISTIC, startBenchStack, type BenchStack, type Delays } from './bench-stack.js';
import { median, p90, writeResult } from './results.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const VARIANTS = ['rtvoice', 'rtvoice-prepare', 'rtvoice-prepared-connection', 'baseline', 'agents-realtime'] as const;
const MARKS = ['token', 'mic', 'offer', 'sdp', 'dcOpen', 'sessionCreated', 'sessionUpdated', 'firstAudio'] as const;
type Marks = Partial<Record<(typeof MARKS)[number], number>>;

/** One visit: a new page, with no connection to the site or the endpoint open. */
async function connectOnce(context: BrowserContext, stack: BenchStack, variant: string): Promise<Marks> {
  stack.coldStart();
  const page = await context.newPage();
  try {
    await page.goto(`${stack.siteUrl}/connect.html?variant=${variant}&sim=${encodeURIComponent(stack.simUrl)}`);
    await page.waitForFunction(() => (window as any).bench.ready || (window as any).bench.error, undefined, { timeout: 20_000 });
    await page.click('#go');
    await page.waitForFunction(() => (window as any).probe.marks.firstAudio || (window as any).bench.error, undefined, { timeout: 20_000 });
    const { error, marks } = await page.evaluate(() => ({ error: (window as any).bench.error as string | null, marks: (window as any).probe.result() as Marks }));
    if (error) throw new Error(`${variant}: ${error}`);
    await page.evaluate(() => (window as any).benchClose());
    return marks;
  } finally {
    await page.close();
  }
}

function summarize(runs: Marks[]) {
  return Object.fromEntries(
    MARKS.map((m) => {
      const xs = runs.map((r) => r[m]).filter((x): x is number => typeof x === 'number');
      return [m, xs.length ? { median: median(xs), p90: p90(xs), n: xs.length } : null];
    }),
  );
}

const fmt = (x: number | undefined) => (x === undefined ? '—' : x < 0 ? 'before' : x.toFixed(0));

/**
 * One browser with a regular profile for the whole network run (an incognito context, Playwright's
 * default, ignores `<link rel="preconnect">`, which a regular Chrome window honours); each connect
 * starts with every connection dropped and at a calls URL never preflighted.
 */
async function runNetwork(delays: Delays) {
  const stack = await startBenchStack(delays);
  const profile = mkdtempSync(join(tmpdir(), 'rtvoice-bench-'));
  // A silent mic: the fake speech WAV, opened by prepare() before the click, could start a user
  // turn that cuts the greeting being timed (seen on a slower run: 4.6 s to the parrot's answer).
  makeSilentWav(SILENT_WAV, 10);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs(SILENT_WAV),
    headless: true,
  });
  try {
    const runs = Object.fromEntries(VARIANTS.map((v) => [v, [] as Marks[]]));
    for (const v of VARIANTS) await connectOnce(context, stack, v); // warm-up: module compilation, first getUserMedia
    for (let i = 0; i < ROUNDS; i += 1) for (const v of VARIANTS) runs[v]!.push(await connectOnce(context, stack, v));
    for (const v of VARIANTS) expect(runs[v]!.every((r) => typeof r.firstAudio === 'number'), `${v} produced audio`).toBe(true);
    const summary = Object.fromEntries(VARIANTS.map((v) => [v, summarize(runs[v]!)]));
    console.log(`\nclick → … in ms (median of ${ROUNDS}; "before" = done before the click), network ${delays.realtime} ms each way to the Realtime endpoint, ${delays.site} ms to the site:`);
    console.log(['client'.padEnd(30), ...MARKS.map((m) => m.padStart(15))].join(''));
    for (const v of VARIANTS) console.log([v.padEnd(30), ...MARKS.map((m) => fmt(summary[v]![m]?.median).padStart(15))].join(''));
    return { delays, rounds: ROUNDS, summary, runs };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await stack.close();
  }
}

test('connect: click → data channel, session.updated, first audio; rtvoice vs the quick start vs @openai/agents-realtime', async () => {
  test.setTimeout(30 * 60_000);
  const realistic = await runNetwork(REALISTIC);
  const loopback = await runNetwork(LOOPBACK);
  writeResult('connect', { realistic, loopback });
});
