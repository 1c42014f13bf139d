import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'node20',
    sourcemap: true,
    emptyOutDir: true,
    minify: false,
    lib: { entry: { index: 'src/index.ts', node: 'src/node.ts' }, formats: ['es'] },
    rollupOptions: { external: [/^node:/, /^zod/, 'ioredis', 'ws'] },
  },
});
