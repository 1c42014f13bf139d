import { expect, test, type Page } from '@playwright/test';

interface DemoState {
  events: string[];
  maxOutputLevel: number;
  metrics?: { totalMs: number; dataChannelOpenMs: number; tokenMs: number; micMs: number };
}

const demo = (page: Page) => page.evaluate(() => {
  const d = (window as unknown as { rtvoiceDemo: DemoState }).rtvoiceDemo;
  return { events: [...d.events], maxOutputLevel: d.maxOutputLevel, metrics: d.metrics };
});

test('a spoken turn goes to the sim over WebRTC and the parrot answers with audio and a transcript', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(process.env.DEMO_URL!);
  await expect(page.locator('#state')).toHaveText('idle');

  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.locator('#state')).toHaveText('connected');
  const { metrics } = await demo(page);
  expect(metrics?.dataChannelOpenMs).toBeGreaterThan(0);
  console.log(`connect metrics: ${JSON.stringify(metrics)}`);

  // The server's VAD hears the fake microphone.
  await expect.poll(async () => (await demo(page)).events, { timeout: 20_000 }).toEqual(
    expect.arrayContaining(['session.created', 'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']),
  );
  // The parrot answers: a response with audio played back over the WebRTC track.
  await expect.poll(async () => (await demo(page)).events, { timeout: 20_000 }).toEqual(
    expect.arrayContaining(['response.created', 'output_audio_buffer.started', 'response.done']),
  );
  await expect.poll(async () => (await demo(page)).maxOutputLevel, { timeout: 15_000 }).toBeGreaterThan(0.02);

  const assistant = page.locator('#transcript li[data-role="assistant"][data-final="true"]');
  await expect(assistant.filter({ hasText: /^\(sim\) you spoke for \d+(\.\d)? s$/ }).first()).toBeVisible();
  await expect(page.locator('#transcript li[data-role="user"][data-final="true"]').first()).toContainText('(sim)');

  // Events arrive in the protocol's order for one VAD turn.
  const { events } = await demo(page);
  const at = (type: string) => events.indexOf(type);
  expect(at('input_audio_buffer.speech_started')).toBeLessThan(at('input_audio_buffer.speech_stopped'));
  expect(at('input_audio_buffer.speech_stopped')).toBeLessThan(at('input_audio_buffer.committed'));
  expect(at('input_audio_buffer.committed')).toBeLessThan(at('response.created'));
  expect(at('response.created')).toBeLessThan(at('response.done'));

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.locator('#state')).toHaveText('closed');
  const micState = await page.evaluate(() => (window as unknown as { rtvoiceDemo: { lastMicTrack?: MediaStreamTrack } }).rtvoiceDemo.lastMicTrack?.readyState);
  expect(micState).toBe('ended');
  expect(await page.locator('#error').textContent()).toBe('');
  expect(consoleErrors).toEqual([]);
});
