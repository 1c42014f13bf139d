import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs } from '../support/chromium.js';
import { assistantSaid, call, eventsOf, maxOutput, pageFn, recorded, sentOf, sessionInfo, startClient, stopClient, waitFor } from '../support/client-page.js';
import { CONTINUOUS_WAV } from '../support/paths.js';
import { useStack } from '../support/stack.js';

// Push-to-talk through the @rtvoice/client API (startTalking/stopTalking, the
// pushToTalk option) in real Chromium against the sim. A fake mic that speaks
// almost continuously: whatever is held is speech.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs(CONTINUOUS_WAV) } });

const stack = useStack();
const AUDIBLE = 0.02;
const SILENT = 0.005;

test.describe('push-to-talk', () => {
  /** Holds the talk button for `ms`; returns the page time of the release. */
  async function hold(page: Page, ms: number): Promise<void> {
    expect(await call(page, 'startTalking')).toBeNull();
    expect((await sessionInfo(page)).mic?.enabled).toBe(true);
    await page.waitForTimeout(ms);
    expect(await call(page, 'stopTalking')).toBeNull();
    expect((await sessionInfo(page)).mic?.enabled).toBe(false);
  }
  const spokeFor = (text: string) => Number(/you spoke for (\d+(?:\.\d)?) s/.exec(text)?.[1]);

  test('pushToTalk: true — silent between turns, then startTalking/stopTalking commit what was held and get it answered', async ({ page }) => {
    await startClient(page, stack().url, { pushToTalk: true });
    let r = await recorded(page);
    // Turn detection off from the connect's own session.update, and the mic silent.
    const first = sentOf(r, 'session.update')[0]!.event.session as { audio: { input: { turn_detection: unknown } } };
    expect(first.audio.input.turn_detection).toBeNull();
    expect((await sessionInfo(page)).mic?.enabled).toBe(false);
    expect((await sessionInfo(page)).pushToTalk).toBe(true);
    await pageFn(page, 'startMonitor');
    await page.waitForTimeout(2000);
    r = await recorded(page);
    expect(r.eventTypes).not.toContain('input_audio_buffer.speech_started');
    expect(r.eventTypes).not.toContain('response.created');
    // The mic speaks, but nothing of it is sent.
    const idle = r.levels.filter((l) => l.monitor !== null);
    expect(Math.max(...idle.map((l) => l.monitor!))).toBeGreaterThan(AUDIBLE);
    expect(Math.max(...idle.map((l) => l.input))).toBeLessThan(SILENT);

    const before = r.sent.length;
    await hold(page, 2500);
    await waitFor(page, (x) => assistantSaid(x).find((t) => t.includes('you spoke for')), 15_000);
    r = await recorded(page);
    expect(r.sent.slice(before).map((s) => s.event.type)).toEqual(['input_audio_buffer.clear', 'input_audio_buffer.commit', 'response.create']);
    expect(r.eventTypes).not.toContain('input_audio_buffer.speech_started');
    const seconds = spokeFor(assistantSaid(r).find((t) => t.includes('you spoke for'))!);
    // The parrot answers with what was held: about 2.5 s.
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(4);
    const answer = eventsOf(r, 'output_audio_buffer.started')[0]!.at;
    await expect.poll(async () => maxOutput(await recorded(page), answer), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
    expect(r.speaking.map((s) => s.who)).toEqual(expect.arrayContaining(['user', 'assistant']));

    // A second, shorter turn: the buffer holds only that one.
    await hold(page, 1200);
    await expect.poll(async () => assistantSaid(await recorded(page)).filter((t) => t.includes('you spoke for')).length, { timeout: 15_000 }).toBe(2);
    r = await recorded(page);
    const second = spokeFor(assistantSaid(r).filter((t) => t.includes('you spoke for'))[1]!);
    expect(second).toBeLessThan(seconds);
    expect(sentOf(r, 'session.update')).toHaveLength(1);
    expect(r.errors).toEqual([]);
    await pageFn(page, 'stopMonitor');
    await stopClient(page);
  });

  test('startTalking() from voice activity mode switches turn detection off once', async ({ page }) => {
    await startClient(page, stack().url);
    expect((await sessionInfo(page)).pushToTalk).toBe(false);
    await hold(page, 2000);
    await waitFor(page, (x) => assistantSaid(x).find((t) => t.includes('you spoke for')), 15_000);
    await hold(page, 1500);
    await expect.poll(async () => assistantSaid(await recorded(page)).filter((t) => t.includes('you spoke for')).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const r = await recorded(page);
    const offs = sentOf(r, 'session.update').filter((s) => (s.event.session as { audio?: { input?: { turn_detection?: unknown } } }).audio?.input?.turn_detection === null);
    expect(offs).toHaveLength(1);
    expect(eventsOf(r, 'session.updated').at(-1)!.session).toMatchObject({ audio: { input: { turn_detection: null } } });
    expect(sentOf(r, 'input_audio_buffer.commit')).toHaveLength(2);
    expect((await sessionInfo(page)).pushToTalk).toBe(true);
    expect(r.errors).toEqual([]);
    await stopClient(page);
  });
});

