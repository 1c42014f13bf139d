import { fileURLToPath } from 'node:url';
import { test, type Page } from '@playwright/test';
import { startSimProcess, type SimProcess } from './sim-process.js';
import { startStaticServer } from './static-server.js';

const PAGES = fileURLToPath(new URL('../pages/', import.meta.url)).replace(/\/$/, '');
const VENDOR = fileURLToPath(new URL('../node_modules/@openai/agents-realtime/dist/bundle/', import.meta.url)).replace(/\/$/, '');

/** Serves the interop page and the Agents SDK's own browser ESM bundle (from node_modules, never a CDN). */
export function startInteropPages() {
  return startStaticServer({ '/vendor/': VENDOR, '/': PAGES });
}

/**
 * Registers a sim process and the interop pages for the whole spec file;
 * returns their getters and a reader of the page's `window.interop` record.
 */
export function useInterop<State>(): { sim: () => SimProcess; pagesUrl: () => string; state: (page: Page) => Promise<State> } {
  let sim: SimProcess | undefined;
  let pages: Awaited<ReturnType<typeof startInteropPages>> | undefined;
  test.beforeAll(async () => {
    sim = await startSimProcess();
    pages = await startInteropPages();
  });
  test.afterAll(async () => {
    await pages?.close();
    await sim?.stop();
  });
  return {
    sim: () => sim!,
    pagesUrl: () => pages!.url,
    state: (page) => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { interop: unknown }).interop)) as never),
  };
}
