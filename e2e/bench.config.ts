import { defineConfig } from '@playwright/test';
import { chromiumArgs } from './support/chromium.js';

/** Benchmarks (not tests): `bash scripts/bench-browser.sh` (connect, conversation, long session), run by `pnpm bench`. Never part of `npm test`. */
export default defineConfig({
  testDir: './bench',
  testMatch: '*.bench.ts',
  workers: 1,
  timeout: 30 * 60_000,
  reporter: [['list']],
  globalSetup: './support/wav-setup.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs() },
  },
});
