import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
    // Safari 16 / iOS 16 are the oldest engines we support (see PRODUCT.md: WebKit users).
    target: ['chrome109', 'edge109', 'firefox115', 'safari16', 'ios16'],
    sourcemap: true,
    // Build timings are noise in `npm test` output on a busy machine.
    rolldownOptions: {
      checks: { bundlerTimings: false },
      output: {
        // zod and the web's zod set-up (jitless: the CSP forbids eval) share one chunk. A chunk runs
        // all of its modules when first imported, so the set-up has run before any other chunk
        // builds a schema, however the bundler groups the modules that build them.
        manualChunks: (id) => (/[\\/]node_modules[\\/]zod[\\/]|[\\/]src[\\/]web[\\/]app[\\/]zod\.ts$/.test(id) ? 'zod' : undefined),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:3000' },
  },
});
