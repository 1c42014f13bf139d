import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type {} from '@rtvoice/widget/iife';

/** What the page saw, recorded from before the first script ran. */
export interface WidgetRecord {
  csp: string[];
  views: string[];
  activities: string[];
  errors: string[];
  tools: string[];
}

/**
 * Records CSP violation reports and the widget's DOM events from before the
 * page's own scripts run (an init script is not subject to the page's CSP).
 */
export async function recordWidget(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const r = { csp: [] as string[], views: [] as string[], activities: [] as string[], errors: [] as string[], tools: [] as string[] };
    (window as unknown as { __rtv: typeof r }).__rtv = r;
    document.addEventListener('securitypolicyviolation', (e) => r.csp.push(`${e.violatedDirective} ${e.blockedURI}`), true);
    document.addEventListener('rtvoice-state', (e) => {
      const d = (e as CustomEvent<{ view: string; activity?: string }>).detail;
      r.views.push(d.view);
      if (d.activity) r.activities.push(d.activity);
    });
    document.addEventListener('rtvoice-error', (e) => r.errors.push((e as CustomEvent<{ code: string }>).detail.code));
    document.addEventListener('rtvoice-tool', (e) => {
      const d = (e as CustomEvent<{ phase: string; name: string }>).detail;
      r.tools.push(`${d.phase}:${d.name}`);
    });
  });
}

/** The record so far. */
export function widgetRecord(page: Page): Promise<WidgetRecord> {
  return page.evaluate(() => structuredClone((window as unknown as { __rtv: WidgetRecord }).__rtv));
}

/** Runs axe-core on the whole page (it walks into the widget's shadow root) and expects no violations. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect(found, `axe-core violations in the ${state} state`).toEqual([]);
}

const scriptTagUrl = () => new URL('/script-tag/', process.env.DEMO_URL!).href;

/** Opens the script-tag example under its strict CSP (checked), recording as {@link recordWidget}; returns the console errors and warnings seen. */
export async function openScriptTagPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  await recordWidget(page);
  const response = await page.goto(scriptTagUrl());
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe');
  // The demo server's default agent is the showcase's; these tests talk to the parrot.
  await page.evaluate(() => document.querySelector('rtvoice-widget')!.setAttribute('token-url', '/api/token?scenario=parrot'));
  return problems;
}

/** The widget's visible status text. */
export const status = (page: Page) => page.locator('rtvoice-widget [part="status"]');
/** The widget's transcript lines of one role. */
export const lines = (page: Page, role: string) => page.locator(`rtvoice-widget li[data-role="${role}"]`);

