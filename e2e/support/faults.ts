import { expect, type Page } from '@playwright/test';
import { call, recorded, sessionInfo, stopClient } from './client-page.js';

/**
 * Collects the page's uncaught errors and console errors from now on (navigations included). The
 * browser's own network log line for an HTTP error status ("Failed to load resource") is not the
 * app's and is left out.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  return problems;
}

/**
 * The same session connects again and is connected, with a live mic; then it is closed, and every
 * mic track the page was given has ended.
 */
export async function connectsAgain(page: Page): Promise<void> {
  expect(await call(page, 'connect')).toBeNull();
  expect((await sessionInfo(page)).state).toBe('connected');
  expect((await sessionInfo(page)).mic?.readyState).toBe('live');
  await stopClient(page);
  const r = await recorded(page);
  expect(r.openedMicStates.every((s) => s === 'ended'), JSON.stringify(r.openedMicStates)).toBe(true);
}
