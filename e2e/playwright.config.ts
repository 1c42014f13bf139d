import { defineConfig } from '@playwright/test';
import { chromiumArgs } from './support/chromium.js';

/**
 * Real Chromium (Debian's /usr/bin/chromium, never a downloaded browser) with a
 * fake microphone fed from a WAV generated at test time. Run through
 * `scripts/e2e.sh`, which puts the whole run in a network namespace with only
 * loopback up.
 */
export default defineConfig({
  testDir: './tests',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../.tmp/e2e-results.json' }]],
  globalSetup: './support/global-setup.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs() },
  },
});
