import { expect, test } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';
import { lines, status } from '../support/widget-page.js';

// examples/react: the element in React 19 with no wrapper (served by the demo server at /react/;
// built by scripts/test.sh and scripts/demo.sh). React sets `options` as a property (the page's
// tool reaches the session) and wires `onrtvoice-state` as a listener.
test('React 19 uses <rtvoice-widget> without a wrapper: attributes, the options property, its events', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(new URL('/react/', process.env.DEMO_URL!).href);
  const widget = page.locator('rtvoice-widget');
  await expect(status(page)).toHaveText('Ready');
  // Boolean props became attributes: the transcript and the text field are on.
  await expect(widget.getByRole('textbox', { name: 'Message' })).toBeVisible();
  expect(await page.evaluate(() => document.querySelector('rtvoice-widget')!.options.tools?.map((t) => t.name))).toEqual(['roll_dice']);
  await page.evaluate(() => document.querySelector('rtvoice-widget')!.setAttribute('token-url', '/api/token?scenario=parrot'));

  await widget.getByRole('button', { name: 'Start call' }).click();
  await expect(page.getByTestId('state')).toHaveText(/listening|speaking/);
  // Mute the (always talking) fake mic, so that nothing talks over the typed turn's answer.
  await widget.getByRole('button', { name: 'Mute microphone' }).click();
  await expect(page.getByTestId('state')).toHaveText(/muted|speaking/);
  const input = widget.getByRole('textbox', { name: 'Message' });
  await input.fill('Hello from React');
  await input.press('Enter');
  await expect(lines(page, 'assistant').filter({ hasText: '(sim) you said: Hello from React' })).toHaveCount(1, { timeout: 15_000 });
  await widget.getByRole('button', { name: 'End call' }).click();
  await expect(page.getByTestId('state')).toHaveText('idle');
  expect(problems).toEqual([]);
});
