import { defineConfig } from 'vite';

export default defineConfig({
  // The WebSocket transport's audio worklet ships as a file of its own (a strict CSP forbids blob: worklets).
  publicDir: 'worklet',
  build: {
    target: 'es2022',
    sourcemap: true,
    emptyOutDir: true,
    lib: {
      entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
      formats: ['es'],
    },
  },
});
