import { expect, test } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';
import { expectNoAxeViolations, lines, recordWidget, status, widgetRecord } from '../support/widget-page.js';

// The showcase demo (examples/demo, `npm run demo`) end to end on the sim's `demo` scenario, with
// no API key: the widget connects over WebRTC, the agent greets, the fake mic asks (the server's
// VAD hears it), the agent calls the page's get_weather tool (the weather card fills in) and speaks
// the result, the next question changes the page's accent colour, and the debug panel shows the
// live cost and the turn latency.
test('the demo: greeting, a tool that changes the page, its spoken result, cost and latency', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await recordWidget(page);
  await page.goto(process.env.DEMO_URL!);
  const widget = page.locator('rtvoice-widget');
  await expect(status(page)).toHaveText('Ready');
  await expectNoAxeViolations(page, 'demo idle');

  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect.poll(async () => (await widgetRecord(page)).views).toContain('listening');
  const connectTime = widget.locator('[part="debug"] dd').nth(2);
  await expect(connectTime).toHaveText(/^\d+ ms$/);

  // The agent greets by itself (the mic may talk over it: then it is marked interrupted).
  await expect(lines(page, 'assistant').first()).toContainText(/Hi|interrupted/, { timeout: 15_000 });

  // The first question: the page's weather tool runs, the card fills in, the result is spoken.
  await expect.poll(async () => (await widgetRecord(page)).tools, { timeout: 25_000 }).toEqual(expect.arrayContaining(['call:get_weather', 'result:get_weather']));
  await expect(page.locator('#weather')).toHaveAttribute('data-city', 'Paris');
  await expect(page.locator('#weather-body')).toContainText(/\d+ °C .* in Paris/);
  await expect(page.locator('#tool-log li[data-phase="result"]').first()).toContainText('get_weather');
  await expect(lines(page, 'assistant').filter({ hasText: /In Paris it is \d+ degrees and/ })).toHaveCount(1, { timeout: 15_000 });
  await expect(lines(page, 'tool').filter({ hasText: 'get_weather' })).toHaveCount(1);

  // Live cost and per-turn latency in the debug panel.
  const [cost, turnLatency] = [widget.locator('[part="debug"] dd').nth(0), widget.locator('[part="debug"] dd').nth(1)];
  await expect(cost).toHaveText(/^\$\d+\.\d{4}$/);
  await expect(turnLatency).toHaveText(/^\d+ ms$/);
  await expectNoAxeViolations(page, 'demo in a call');

  // The next question: the accent colour tool changes the page.
  await expect.poll(async () => (await widgetRecord(page)).tools, { timeout: 25_000 }).toContain('result:set_accent_color');
  await expect(page.locator('html')).toHaveAttribute('data-accent', 'purple');
  await expect(page.locator('.masthead')).toHaveCSS('background-color', 'rgb(109, 40, 217)');
  await expect(lines(page, 'assistant').filter({ hasText: 'Done: the page is purple now.' })).toHaveCount(1, { timeout: 15_000 });

  // The device picker lists the microphones once they are allowed, and switches live.
  const mic = page.getByRole('combobox', { name: 'Microphone' });
  await expect.poll(() => mic.locator('option').count()).toBeGreaterThan(1);
  const deviceId = await mic.locator('option').nth(1).getAttribute('value');
  await mic.selectOption(deviceId!);
  await expect.poll(() => page.evaluate(() => document.querySelector('rtvoice-widget')!.session!.micTrack?.getSettings().deviceId)).toBe(deviceId);

  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(status(page)).toHaveText('Ready');
  expect(await page.evaluate(() => document.querySelector('rtvoice-widget')!.session!.micTrack?.readyState ?? 'released')).not.toBe('live');
  const record = await widgetRecord(page);
  expect(record.errors).toEqual([]);
  expect(record.csp).toEqual([]);
  expect(problems).toEqual([]);
});

// The same demo with the Transport setting on WebSocket: the worklet is the app's own file (built by
// Vite from `@rtvoice/client/rtvoice-audio-worklet.js?url`), the call runs over the sim's WebSocket.
test('the demo over the WebSocket transport: greeting, the weather tool, no CSP violation', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await recordWidget(page);
  await page.goto(process.env.DEMO_URL!);
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('websocket');
  const widget = page.locator('rtvoice-widget');
  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect.poll(async () => (await widgetRecord(page)).views).toContain('listening');
  await expect(lines(page, 'assistant').first()).toContainText(/Hi|interrupted/, { timeout: 15_000 });
  await expect.poll(async () => (await widgetRecord(page)).tools, { timeout: 25_000 }).toEqual(expect.arrayContaining(['call:get_weather', 'result:get_weather']));
  await expect(page.locator('#weather')).toHaveAttribute('data-city', 'Paris');
  await expect(lines(page, 'assistant').filter({ hasText: /In Paris it is \d+ degrees and/ })).toHaveCount(1, { timeout: 15_000 });
  expect(sockets.filter((u) => /\/v1\/realtime(\?|$)/.test(u))).toHaveLength(1);
  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(status(page)).toHaveText('Ready');
  const record = await widgetRecord(page);
  expect(record.errors).toEqual([]);
  expect(record.csp).toEqual([]);
  expect(problems).toEqual([]);
});
