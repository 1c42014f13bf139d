import { expect, test } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';
import { expectNoAxeViolations, lines, openScriptTagPage as open, status, widgetRecord } from '../support/widget-page.js';

// The script-tag example (examples/script-tag: the IIFE and one element, no build step) served by the
// demo server under a strict CSP (script-src 'self'; style-src 'self'), against the sim's parrot.

test('under a strict CSP: connect, talk, transcript, interrupt, mute, text, end — no CSP report, axe clean in each state', async ({ page }) => {
  const problems = await open(page);
  const widget = page.locator('rtvoice-widget');
  expect(await page.evaluate(() => typeof window.RtvoiceWidget?.VoiceSession)).toBe('function');
  await expect(status(page)).toHaveText('Ready');
  await expectNoAxeViolations(page, 'idle');

  // Connect.
  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect(widget.getByRole('button', { name: 'End call' })).toBeVisible();
  await expect.poll(async () => (await widgetRecord(page)).views).toContain('listening');
  expect((await widgetRecord(page)).views[0]).toBe('connecting');
  await expectNoAxeViolations(page, 'listening');

  // Talk: the fake mic speaks, the server's VAD hears it, the parrot answers; interrupt that answer.
  await expect.poll(async () => (await widgetRecord(page)).activities, { timeout: 20_000 }).toContain('user-speaking');
  const stop = widget.getByRole('button', { name: 'Stop answer' });
  await expect(stop).toBeVisible({ timeout: 20_000 });
  await expect(status(page)).toHaveText('Agent is speaking');
  await expectNoAxeViolations(page, 'assistant-speaking');
  await stop.click();
  await expect(page.locator('rtvoice-widget li[data-interrupted="true"]')).toHaveCount(1);
  await expect(page.locator('rtvoice-widget li[data-interrupted="true"]')).toContainText('(interrupted)');
  await expect(lines(page, 'user').first()).toContainText('(sim)');

  // The next spoken turn gets a whole answer in the transcript.
  await expect(lines(page, 'assistant').filter({ hasText: /\(sim\) you spoke for \d/ }).first()).toBeVisible({ timeout: 25_000 });
  await expect(page.locator('rtvoice-widget [aria-live]')).toHaveCount(1);

  // Mute.
  const mute = widget.getByRole('button', { name: 'Mute microphone' });
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await widgetRecord(page)).activities).toContain('muted');
  await expectNoAxeViolations(page, 'muted');
  expect(await page.evaluate(() => document.querySelector('rtvoice-widget')!.session!.muted)).toBe(true);

  // Text, while muted: the fake mic, which keeps speaking, cannot talk over the typed turn's answer.
  const input = widget.getByRole('textbox', { name: 'Message' });
  await input.fill('Hello from the keyboard');
  await input.press('Enter');
  await expect(lines(page, 'user').filter({ hasText: 'Hello from the keyboard' })).toHaveCount(1);
  await expect(lines(page, 'assistant').filter({ hasText: '(sim) you said: Hello from the keyboard' })).toHaveCount(1, { timeout: 15_000 });
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'false');

  // End.
  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(status(page)).toHaveText('Ready');
  const micState = await page.evaluate(() => document.querySelector('rtvoice-widget')!.session!.micTrack?.readyState ?? 'released');
  expect(['ended', 'released']).toContain(micState);

  const record = await widgetRecord(page);
  expect(record.errors).toEqual([]);
  expect(record.csp).toEqual([]);
  expect(problems).toEqual([]);

  // The CSP check itself works: an inline style attribute is reported.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<div style="color: red">x</div>'));
  await expect.poll(async () => (await widgetRecord(page)).csp.length).toBeGreaterThan(0);
});

test('a token endpoint that fails: the error is shown with a retry and fires rtvoice-error; axe clean', async ({ page }) => {
  const problems = await open(page);
  const widget = page.locator('rtvoice-widget');
  await page.evaluate(() => document.querySelector('rtvoice-widget')!.setAttribute('token-url', '/api/no-such-endpoint'));
  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect(status(page)).toHaveText('Something went wrong');
  await expect(widget.locator('[part="error"]')).toContainText('404');
  await expect(widget.getByRole('button', { name: 'Try again' })).toBeVisible();
  expect((await widgetRecord(page)).errors).toEqual(['token_fetch_failed']);
  await expectNoAxeViolations(page, 'error');
  // Fix the attribute: the retry uses it.
  await page.evaluate(() => document.querySelector('rtvoice-widget')!.setAttribute('token-url', '/api/token?scenario=parrot'));
  await widget.getByRole('button', { name: 'Try again' }).click();
  await expect(widget.getByRole('button', { name: 'End call' })).toBeVisible();
  await expect.poll(async () => (await widgetRecord(page)).views).toContain('listening');
  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(status(page)).toHaveText('Ready');
  expect((await widgetRecord(page)).csp).toEqual([]);
  // The failed token request is the only console error.
  expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
});
