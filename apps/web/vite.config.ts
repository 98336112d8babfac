import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The page is served by the config service on the same origin as /api; `pnpm dev` proxies /api to a
// locally running config service (CONFIG_URL, default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { '/api': { target: process.env.CONFIG_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    setupFiles: ['src/test/setup.ts'],
  },
});
