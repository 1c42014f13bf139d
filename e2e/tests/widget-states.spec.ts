import { expect, test, type Page } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';
import { fileURLToPath } from 'node:url';
import { listen, staticHandler } from '../support/static-server.js';
import { expectNoAxeViolations } from '../support/widget-page.js';

// Every state of <rtvoice-widget> (the script-tag bundle, on a page with a strict CSP meta tag),
// scripted with the client's FakeTransport: axe-core finds nothing in any of them, and each is
// compared with a committed screenshot at 1280 px and 320 px wide (the live level bars masked).

const PAGES = fileURLToPath(new URL('../pages', import.meta.url));
const WIDGET_DIST = fileURLToPath(new URL('../../packages/widget/dist', import.meta.url));
const CLIENT_DIST = fileURLToPath(new URL('../../packages/client/dist', import.meta.url));

let server: { url: string; close(): Promise<void> };
test.beforeAll(async () => {
  server = await listen(staticHandler({ '/widget/': WIDGET_DIST, '/client/': CLIENT_DIST, '/': PAGES }));
});
test.afterAll(async () => server.close());

interface StatesApi {
  widgetStates: {
    csp: string[];
    scripted(o?: { manualOpen?: boolean }): void;
    unconfigured(): void;
    fake: {
      open(): void;
      drop(): void;
      receive(e: object): void;
      userTurn(text: string, itemId?: string): string;
      assistantTurn(text: string, o?: { complete?: boolean }): string;
    };
    finish(responseId: string, itemId: string, text: string): void;
  };
}

async function check(page: Page, state: string, width: number, theme = 'light'): Promise<void> {
  const widget = page.locator('rtvoice-widget');
  await expect(widget).toHaveAttribute('data-state', state);
  await expectNoAxeViolations(page, `${state} (${theme}) at ${width} px`);
  const name = theme === 'light' ? `${state}-${width}.png` : `${state}-${theme}-${width}.png`;
  const shot = await widget.screenshot({ animations: 'disabled', mask: [widget.locator('[part="visualizer"]')] });
  await test.info().attach(name, { body: shot, contentType: 'image/png' });
  await expect(widget).toHaveScreenshot(name, {
    animations: 'disabled',
    mask: [widget.locator('[part="visualizer"]')],
    maxDiffPixelRatio: 0.02,
  });
}

for (const width of [1280, 320]) {
  test(`every state at ${width} px: axe clean, matches its screenshot`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${server.url}/widget-states.html`);
    await page.waitForFunction(() => (window as unknown as { widgetStates?: { ready: boolean } }).widgetStates?.ready);
    const widget = page.locator('rtvoice-widget');
    const run = (fn: (s: StatesApi['widgetStates']) => unknown) =>
      page.evaluate(`(${fn.toString()})(window.widgetStates)`);

    await check(page, 'idle', width);

    await run((s) => s.unconfigured());
    await widget.getByRole('button', { name: 'Start call' }).click();
    await check(page, 'error', width);

    await run((s) => s.scripted({ manualOpen: true }));
    await widget.getByRole('button', { name: 'Try again' }).click();
    await check(page, 'connecting', width);

    await run((s) => s.fake.open());
    await check(page, 'listening', width);
    // The dark theme passes the same checks.
    await widget.evaluate((w) => w.setAttribute('theme', 'dark'));
    await check(page, 'listening', width, 'dark');
    await widget.evaluate((w) => w.removeAttribute('theme'));

    await run((s) => s.fake.receive({ type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 0, item_id: 'item_user_1' }));
    await check(page, 'user-speaking', width);

    await run((s) => {
      s.fake.userTurn('What is the weather in Paris?', 'item_user_1');
      const responseId = s.fake.assistantTurn('It is sunny and 21 degrees in Paris.', { complete: false });
      (window as unknown as { open: string[] }).open = [responseId];
    });
    await check(page, 'assistant-speaking', width);

    await run((s) => {
      const [responseId] = (window as unknown as { open: string[] }).open;
      const item = document.querySelector('rtvoice-widget')!.session!.history.at(-1)!;
      s.finish(responseId!, item.id, 'It is sunny and 21 degrees in Paris.');
    });
    await expect(widget).toHaveAttribute('data-state', 'listening');
    await widget.getByRole('button', { name: 'Mute microphone' }).click();
    await check(page, 'muted', width);
    await widget.getByRole('button', { name: 'Mute microphone' }).click();

    await run((s) => s.fake.drop());
    await check(page, 'reconnecting', width);

    await widget.getByRole('button', { name: 'End call' }).click();
    await expect(widget).toHaveAttribute('data-state', 'idle');
    expect(await page.evaluate(() => (window as unknown as StatesApi).widgetStates.csp)).toEqual([]);
  });
}

test('position, prefers-color-scheme and prefers-reduced-motion', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.goto(`${server.url}/widget-states.html`);
  await page.waitForFunction(() => (window as unknown as { widgetStates?: { ready: boolean } }).widgetStates?.ready);
  const widget = page.locator('rtvoice-widget');
  const panel = widget.locator('[part="panel"]');
  // theme="auto" (the default) follows the system: dark.
  await expect(panel).toHaveCSS('background-color', 'rgb(24, 24, 27)');
  await widget.evaluate((w) => w.setAttribute('theme', 'light'));
  await expect(panel).toHaveCSS('background-color', 'rgb(255, 255, 255)');

  // Reduced motion: the connecting indicator does not pulse.
  await page.evaluate(`window.widgetStates.scripted({ manualOpen: true })`);
  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect(widget).toHaveAttribute('data-state', 'connecting');
  await expect(widget.locator('[part="indicator"]')).toHaveCSS('animation-name', 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(widget.locator('[part="indicator"]')).toHaveCSS('animation-name', 'pulse');

  // position="bottom-right": fixed in that corner.
  await widget.evaluate((w) => w.setAttribute('position', 'bottom-right'));
  await expect(widget).toHaveCSS('position', 'fixed');
  const box = (await widget.boundingBox())!;
  expect(Math.round(box.x + box.width)).toBe(1280 - 16);
  expect(Math.round(box.y + box.height)).toBe(800 - 16);
  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(widget).toHaveAttribute('data-state', 'idle');
});
