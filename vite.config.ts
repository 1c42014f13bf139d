import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

/**
 * Root Vitest configuration: every unit test in the workspace runs from source
 * (no build needed). The forks pool is required: a process that created a wrtc
 * RTCAudioSource crashes at natural exit under worker threads (TOOLCHAIN.md).
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@rtvoice\/client\/testing$/, replacement: src('client', 'testing/index.ts') },
      { find: /^@rtvoice\/client$/, replacement: src('client') },
      { find: /^@rtvoice\/server\/node$/, replacement: src('server', 'node.ts') },
      { find: /^@rtvoice\/server$/, replacement: src('server') },
      { find: /^@rtvoice\/sim\/testing$/, replacement: src('sim', 'testing.ts') },
      { find: /^@rtvoice\/sim$/, replacement: src('sim') },
      { find: /^@rtvoice\/widget$/, replacement: src('widget') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    setupFiles: ['./scripts/vitest-setup.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
