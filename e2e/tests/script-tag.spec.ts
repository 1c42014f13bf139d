import { expect, test } from '@playwright/test';

test('the IIFE widget works on a plain page under a strict CSP, end to end', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const response = await page.goto(new URL('/script-tag/', process.env.DEMO_URL!).href);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

  const widget = page.locator('rtvoice-widget');
  const start = widget.getByRole('button', { name: 'Start talking' });
  await expect(start).toBeVisible();
  expect(await page.evaluate(() => typeof (window as unknown as { RtvoiceWidget?: { VoiceSession?: unknown } }).RtvoiceWidget?.VoiceSession)).toBe('function');

  await start.click();
  await expect(widget.getByRole('status')).toHaveText('Listening');
  await expect(widget.locator('li[data-role="assistant"]').filter({ hasText: '(sim) you spoke for' }).first()).toBeVisible({ timeout: 25_000 });

  await widget.getByRole('button', { name: 'Stop' }).click();
  await expect(widget.getByRole('status')).toHaveText('Ended');
  expect(problems).toEqual([]);
});
