// CLI for `npm run data` (tsx tools/data/main.ts [--force] [--out DIR]).
import { buildData, DEFAULT_OUT_DIR } from './build';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? args[outIndex + 1] : DEFAULT_OUT_DIR;

buildData({ outDir, force: args.includes('--force'), log: (line) => console.log(line) })
  .then((result) => {
    const what = result.skipped ? 'up to date' : 'built';
    console.log(`data: ${what} in ${(result.ms / 1000).toFixed(2)} s -> ${result.outDir}`);
  })
  .catch((err: unknown) => {
    console.error(`data: build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
