import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startSimProcess } from '../support/sim-process.js';
import { startStaticServer } from '../support/static-server.js';

const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url)).replace(/\/$/, '');

/**
 * Starts a sim process and the bench page (with the widget bundle and the Agents SDK's own browser
 * bundle, from node_modules), opens the page on it; `close()` stops both.
 */
export async function openBenchPage(page: Page): Promise<{ close(): Promise<void> }> {
  const sim = await startSimProcess();
  const statics = await startStaticServer({
    '/vendor/': dir('../node_modules/@openai/agents-realtime/dist/bundle/'),
    '/widget/': dir('../../packages/widget/dist/'),
    '/': dir('../pages/'),
  });
  const close = async () => {
    await statics.close();
    await sim.stop();
  };
  try {
    await page.goto(`${statics.url}/bench.html?sim=${encodeURIComponent(sim.url)}`);
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 90th percentile of `xs` (nearest rank). */
export function p90(xs: number[]): number {
  return sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
}
