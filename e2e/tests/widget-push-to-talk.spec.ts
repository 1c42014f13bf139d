import { expect, test } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';
import { chromiumArgs } from '../support/chromium.js';
import { CONTINUOUS_WAV } from '../support/paths.js';
import { expectNoAxeViolations, lines, openScriptTagPage as open, status, widgetRecord } from '../support/widget-page.js';

// The widget's push-to-talk on the script-tag page (strict CSP), with a mic that speaks almost
// continuously: whatever is held is speech.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs(CONTINUOUS_WAV) } });

test('hold the button or Space: the held speech is answered; moving the element keeps the call', async ({ page }) => {
  const problems = await open(page);
  const widget = page.locator('rtvoice-widget');
  await page.evaluate(() => document.querySelector('rtvoice-widget')!.setAttribute('push-to-talk', ''));
  await widget.getByRole('button', { name: 'Start call' }).click();
  const ptt = widget.getByRole('button', { name: 'Hold to talk' });
  await expect(ptt).toBeVisible();
  await expect(status(page)).toHaveText('Listening');
  await expectNoAxeViolations(page, 'push-to-talk listening');

  await ptt.hover();
  await page.mouse.down();
  await expect(ptt).toHaveAttribute('aria-pressed', 'true');
  await expect(status(page)).toHaveText('You are speaking');
  await page.waitForTimeout(2000);
  await page.mouse.up();
  await expect(ptt).toHaveAttribute('aria-pressed', 'false');
  await expect(lines(page, 'assistant').filter({ hasText: /\(sim\) you spoke for \d/ })).toHaveCount(1, { timeout: 15_000 });

  // The answer plays to its end (a press while it plays would interrupt it).
  await expect(status(page)).toHaveText('Listening', { timeout: 15_000 });

  // Moving the element in the DOM does not end the call.
  await page.evaluate(() => {
    const w = document.querySelector('rtvoice-widget')!;
    const box = document.createElement('section');
    document.body.prepend(box);
    box.append(w);
  });
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => document.querySelector('rtvoice-widget')!.session!.state)).toBe('connected');

  // Space while focused.
  await ptt.focus();
  await page.keyboard.down(' ');
  await expect(ptt).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(1500);
  await page.keyboard.up(' ');
  await expect(lines(page, 'assistant').filter({ hasText: /\(sim\) you spoke for \d/ })).toHaveCount(2, { timeout: 15_000 });

  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(status(page)).toHaveText('Ready');
  expect((await widgetRecord(page)).csp).toEqual([]);
  expect(problems).toEqual([]);
});
