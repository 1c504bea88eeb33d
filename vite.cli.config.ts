// Vite build for Node entry points (benchmarks, command-line tools): `vite build -c vite.cli.config.ts` writes
// dist-cli/<name>.mjs, one ES module per entry plus the code they share in dist-cli/chunks/ (copy the whole
// dist-cli/), with shaders inlined through `?raw` and npm packages bundled except `webgpu` (native Dawn binary)
// and Node builtins, so the bundles run wherever Node and the `webgpu` package are (e.g. a bare GPU server, see
// ../shared/docs/webgpu-runtime.md). Every src/cli/*.ts command is an entry (not the modules the commands
// share, such as trainFiles.ts).
import { existsSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import { buildId } from './tools/build-id.ts';

const SHARED_MODULES = new Set(['trainFiles.ts']);

const cliEntries = Object.fromEntries(
  (existsSync('src/cli') ? readdirSync('src/cli') : [])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !SHARED_MODULES.has(f))
    .map((f) => [f.replace(/\.ts$/, ''), `src/cli/${f}`]),
);

export const entries: Record<string, string> = {
  kernels: 'bench/kernels.ts',
  'bench-train': 'bench/train.ts',
  ...cliEntries,
};

const external = ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default defineConfig({
  publicDir: false,
  define: { __BUILD_ID__: JSON.stringify(buildId()) },
  ssr: { noExternal: true, external: ['webgpu'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist-cli',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: entries,
      external,
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
});
