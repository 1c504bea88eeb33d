// The command-line bundles themselves (vite.cli.config.ts), built into a scratch folder and run with Node: each
// command must answer when started, including one that another command imports (calibrate runs sweep's main,
// so sweep's code sits in a shared chunk) -- a bundle that silently does nothing is the failure this catches.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Inside the repository, so the bundles find the `webgpu` package (left external) in node_modules.
const out = join('.test-output', 'cli-bundles');
afterAll(() => rmSync(out, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'inherit' });
}, 120_000);

describe('dist-cli bundles', () => {
  for (const [command, usage] of [
    ['sweep', /--config <sweep\.json> is required\nusage: npm run sweep/],
    ['sweep-merge', /usage: npm run sweep:merge/],
    ['calibrate', /--config is required\nusage: npm run calibrate/],
    ['train', /usage: npm run train/],
  ] as const) {
    it(`${command}.mjs runs its command: no arguments -> the usage error on stderr, exit 1; --help -> the help on stdout, exit 0`, () => {
      const run = spawnSync(process.execPath, [join(out, `${command}.mjs`)], { encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toMatch(usage);
      expect(run.status).toBe(1);
      const help = spawnSync(process.execPath, [join(out, `${command}.mjs`), '--help'], { encoding: 'utf8', timeout: 60_000 });
      expect(help.stdout).toMatch(/^usage: [\s\S]*-h, --help {2,}print this help and exit\n[\s\S]*exit codes: 0 /);
      expect(help.status).toBe(0);
    });
  }
});
