import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { buildId } from './tools/build-id.ts';

export default defineConfig({
  plugins: [react()],
  define: { __BUILD_ID__: JSON.stringify(buildId()) },
  base: './',
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1500 },
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'tools/**/*.test.ts'],
    globalSetup: ['src/test/globalSetup.ts'],
    setupFiles: ['src/test/setup.ts'],
    pool: 'forks',
    // TF.js's gradients ship only as extensionless ESM (tfjs-core/dist/gradients/*.js) that Node cannot load:
    // Vite does. (The backends still load as CommonJS; the copies share TF.js's global registries and engine.)
    server: { deps: { inline: [/@tensorflow\//] } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
