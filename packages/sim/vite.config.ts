import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'node20',
    sourcemap: true,
    emptyOutDir: true,
    minify: false,
    lib: { entry: { index: 'src/index.ts', testing: 'src/testing.ts', cli: 'src/cli.ts', 'rtc-host': 'src/rtc/rtc-host.ts' }, formats: ['es'] },
    rollupOptions: { external: [/^node:/, /^zod/, '@roamhq/wrtc', 'ws'] },
  },
});
