/**
 * Turn latency and barge-in, side by side in one run on the realistic network
 * (40 ms each way to the Realtime endpoint): rtvoice over WebRTC, rtvoice over
 * the WebSocket, and the official quick start written by hand (which does
 * nothing on barge-in: the server's own stop is all it gets). Measured at the
 * page from the probe's levels (see pages/bench/session.js); the fake mic
 * speaks one utterance every ~11 s. A benchmark, not a test: it asserts only
 * that turns and barge-ins were measured.
 */
import { expect, test, type Browser } from '@playwright/test';
import { REALISTIC, startBenchStack, type BenchStack } from './bench-stack.js';
import { median, p90, writeResult } from './results.js';

const TURNS = Number(process.env.TURNS ?? 5);
const BARGE_INS = Number(process.env.BARGE_INS ?? 4);
const VARIANTS = ['rtvoice', 'baseline', 'rtvoice-ws'] as const;
type Turn = { fromSpeechEnd: number; fromSpeechStopped: number | null };
type BargeIn = { fromMicOnset: number; fromSpeechStarted: number | null; toTrackDisabled: number | null };

async function converse<T>(browser: Browser, stack: BenchStack, variant: string, scenario: string, measure: string, n: number): Promise<T[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${stack.siteUrl}/session.html?sim=${encodeURIComponent(stack.simUrl)}`);
    await page.evaluate(([v, s]) => (window as any).startClient(v, s, 500), [variant, scenario] as const);
    const out = (await page.evaluate(([m, k]) => (window as any)[m](k), [measure, n] as const)) as T[];
    await page.evaluate(() => (window as any).stopClient());
    return out;
  } finally {
    await context.close();
  }
}

const stats = (xs: number[]) => (xs.length ? { median: median(xs), p90: p90(xs), n: xs.length } : null);
const f = (s: { median: number; p90: number } | null) => (s ? `${s.median.toFixed(0).padStart(5)} ms (p90 ${s.p90.toFixed(0)})` : '—');

test('turn latency and barge-in: rtvoice (WebRTC, WebSocket) vs the quick start', async ({ browser }) => {
  test.setTimeout(20 * 60_000);
  const stack = await startBenchStack(REALISTIC);
  try {
    const turns: Record<string, unknown> = {};
    const bargeIns: Record<string, unknown> = {};
    console.log(`\nturn latency, parrot agent, server VAD silence 500 ms, ${TURNS} turns each, network 40 ms each way:`);
    console.log(`${'client'.padEnd(14)}${'speech end (mic) → audible'.padEnd(34)}speech_stopped at the page → audible`);
    for (const v of VARIANTS) {
      const t = await converse<Turn>(browser, stack, v, 'parrot', 'measureTurns', TURNS);
      expect(t.length, `${v} turns measured`).toBeGreaterThan(0);
      const s = { fromSpeechEnd: stats(t.map((x) => x.fromSpeechEnd)), fromSpeechStopped: stats(t.flatMap((x) => (x.fromSpeechStopped === null ? [] : [x.fromSpeechStopped]))) };
      turns[v] = { ...s, raw: t };
      console.log(`${v.padEnd(14)}${f(s.fromSpeechEnd).padEnd(34)}${f(s.fromSpeechStopped)}`);
    }
    const med = (v: string) => (turns[v] as { fromSpeechEnd: { median: number } }).fromSpeechEnd.median;
    console.log(`rtvoice's own share (rtvoice − quick start, same sim and network): ${(med('rtvoice') - med('baseline')).toFixed(0)} ms over WebRTC`);
    const floor = stats(await converse<number>(browser, stack, 'baseline', 'long-answer', 'measureSilenceFloor', 5));
    const some = (xs: (number | null)[]) => stats(xs.filter((x): x is number => x !== null));
    console.log(`\nbarge-in on a long answer, ${BARGE_INS} each (goal ≤ 20 ms from speech_started); the probe reads silence ${f(floor)} after a track is disabled by hand (its floor):`);
    console.log(`${'client'.padEnd(14)}${'speech onset (mic) → silent'.padEnd(34)}${'speech_started → silent'.padEnd(34)}speech_started → track disabled (the client's own part)`);
    for (const v of VARIANTS) {
      const b = await converse<BargeIn>(browser, stack, v, 'long-answer', 'measureBargeIns', BARGE_INS);
      expect(b.length, `${v} barge-ins measured`).toBeGreaterThan(0);
      const s = { fromMicOnset: stats(b.map((x) => x.fromMicOnset)), fromSpeechStarted: some(b.map((x) => x.fromSpeechStarted)), toTrackDisabled: some(b.map((x) => x.toTrackDisabled)) };
      bargeIns[v] = { ...s, raw: b };
      console.log(`${v.padEnd(14)}${f(s.fromMicOnset).padEnd(34)}${f(s.fromSpeechStarted).padEnd(34)}${s.toTrackDisabled ? `${s.toTrackDisabled.median.toFixed(1)} ms` : '— (not disabled)'}`);
    }
    writeResult('conversation', { delays: REALISTIC, turns, bargeIns, silenceFloor: floor });
  } finally {
    await stack.close();
  }
});
