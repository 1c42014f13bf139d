/**
 * Soak (short form; SOAK_SEGMENTS and SOAK_TURNS make it longer): typed turns on one session,
 * with the sim hanging the call up between segments, so rtvoice reconnects each time (a fresh
 * token and peer connection, the history replayed). At the end the history holds every turn,
 * complete and in order, and the session's usage totals equal the sum of what the sim reported
 * in its response.done events.
 */
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { call, recorded, sessionInfo, startClient, stopClient } from '../support/client-page.js';
import { useStack } from '../support/stack.js';

const SEGMENTS = Number(process.env.SOAK_SEGMENTS ?? 3);
const TURNS = Number(process.env.SOAK_TURNS ?? 4);
const stack = useStack(['--log-level', 'info']);

test(`soak: ${SEGMENTS * TURNS} typed turns across ${SEGMENTS - 1} forced reconnects: the history is complete and in order, the usage exact`, async ({ page }) => {
  test.setTimeout(60_000 + SEGMENTS * TURNS * 10_000);
  const started = Date.now();
  await startClient(page, stack().url, { muted: true });
  const texts = async () => (await sessionInfo(page)).history.flatMap((i) => (i.type === 'message' ? [i.text] : []));
  const expected: string[] = [];
  for (let segment = 0; segment < SEGMENTS; segment += 1) {
    for (let turn = 0; turn < TURNS; turn += 1) {
      const text = `Turn ${segment}.${turn}, please.`;
      expect(await call(page, 'sendText', text)).toBeNull();
      expected.push(text, `(sim) you said: ${text}`);
      await expect.poll(texts, { timeout: 15_000 }).toEqual(expected);
    }
    if (segment === SEGMENTS - 1) break;
    // The sim hangs up the current call; rtvoice reconnects by itself.
    const calls = [...stack().sim.output().matchAll(/call started call=(rtc_\w+)/g)].map((m) => m[1]!);
    const res = await fetch(`${stack().sim.url}/v1/realtime/calls/${calls.at(-1)}/hangup`, { method: 'POST' });
    expect(res.status).toBe(200);
    await expect
      .poll(async () => (await recorded(page)).states.filter((s) => s === 'reconnecting').length, { timeout: 15_000 })
      .toBe(segment + 1);
    await expect.poll(async () => (await recorded(page)).states.at(-1), { timeout: 15_000 }).toBe('connected');
    // Replayed, not lost nor doubled.
    expect(await texts()).toEqual(expected);
  }
  const r = await recorded(page);
  expect(r.errors).toEqual([]);
  expect(r.metricsEvents.filter((m) => m.kind === 'connect').map((m) => m.reconnect)).toEqual([false, ...Array(SEGMENTS - 1).fill(true)]);
  // The usage: exactly the sum of every response.done the sim sent, over every connection.
  const done = r.events.filter((e) => e.type === 'response.done').map((e) => (e.response as { usage: { input_tokens: number; output_tokens: number; total_tokens: number } }).usage);
  expect(done).toHaveLength(SEGMENTS * TURNS);
  const sum = (k: 'input_tokens' | 'output_tokens' | 'total_tokens') => done.reduce((n, u) => n + u[k], 0);
  const usage = (await sessionInfo(page)).usage;
  expect(usage).toMatchObject({ responses: SEGMENTS * TURNS, input_tokens: sum('input_tokens'), output_tokens: sum('output_tokens'), total_tokens: sum('total_tokens') });
  await stopClient(page);
  // Under `pnpm bench` (the full form): what it did, for the report.
  if (process.env.BENCH_JSON) {
    const reconnectMs = r.metricsEvents.filter((m) => m.kind === 'connect' && m.reconnect).map((m) => m.totalMs as number);
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({ segments: SEGMENTS, turns: SEGMENTS * TURNS, reconnects: reconnectMs.length, reconnectMs, historyItems: (await sessionInfo(page)).history.length, totalTokens: usage.total_tokens, seconds: (Date.now() - started) / 1000 }));
  }
});
