import { defineConfig } from 'vite';

/**
 * Two builds: `vite build` emits the ESM entries (`index`, `define`) with the
 * client left as a dependency; `vite build --mode iife` emits one self-contained
 * script-tag file with the client bundled in.
 */
export default defineConfig(({ mode }) =>
  mode === 'iife'
    ? {
        // The WebSocket transport's audio worklet ships next to the bundle (a real file: strict CSPs forbid blob: worklets).
        publicDir: '../client/worklet',
        build: {
          target: 'es2022',
          emptyOutDir: false,
          sourcemap: true,
          lib: { entry: 'src/iife.ts', name: 'RtvoiceWidget', formats: ['iife'], fileName: () => 'rtvoice-widget.iife.js' },
        },
      }
    : {
        publicDir: false,
        build: {
          target: 'es2022',
          emptyOutDir: true,
          sourcemap: true,
          lib: { entry: { index: 'src/index.ts', define: 'src/define.ts' }, formats: ['es'] },
          rollupOptions: { external: [/^@rtvoice\/client/] },
        },
      },
);
