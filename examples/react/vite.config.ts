import { defineConfig } from 'vite';

/** Served by the demo server at /react/ (examples/demo/server.mjs). No React plugin: Vite's own JSX transform. */
export default defineConfig({
  base: '/react/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
