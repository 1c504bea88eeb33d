#!/usr/bin/env node
// The one test command (`npm test`): typecheck, lint, unit + GPU tests (vitest), build, end-to-end
// (Playwright). Runs every step even after a failure, prints each runner's counts, and ends with one line
// totalling all of them. Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const OUT = '.test-output';
mkdirSync(OUT, { recursive: true });

function run(script, args = []) {
  const start = Date.now();
  const result = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { stdio: 'inherit' });
  return { ok: result.status === 0, seconds: (Date.now() - start) / 1000 };
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const rows = [];

function step(name, script) {
  console.log(`\n=== ${name} ===`);
  const { ok, seconds } = run(script);
  rows.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds });
}

function runner(name, script, args, jsonFile, count) {
  console.log(`\n=== ${name} ===`);
  rmSync(jsonFile, { force: true });
  const { ok, seconds } = run(script, args);
  const report = existsSync(jsonFile) ? readJson(jsonFile) : undefined;
  const counts = report ? count(report) : { passed: 0, failed: 0, skipped: 0 };
  // A runner that failed without reporting a failed test (crash, no tests found) still counts as a failure.
  if (!ok && counts.failed === 0) counts.failed = 1;
  if (ok && counts.passed === 0) counts.failed += 1;
  rows.push({ name, ...counts, seconds });
}

step('typecheck (tsc --noEmit)', 'typecheck');
step('lint (eslint)', 'lint');
runner(
  'unit + GPU tests (vitest)',
  'test:unit',
  ['--reporter=default', '--reporter=json', `--outputFile.json=${OUT}/vitest.json`],
  `${OUT}/vitest.json`,
  (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + (r.numTodoTests ?? 0) }),
);
step('build (vite build)', 'build');
runner('end-to-end (playwright, chromium)', 'test:e2e', [], `${OUT}/playwright.json`, (r) => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected,
  skipped: r.stats.skipped,
}));

console.log('\n=== summary ===');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const row of rows) {
  console.log(`${row.name.padEnd(36)} ${row.passed} passed, ${row.failed} failed, ${row.skipped} skipped (${row.seconds.toFixed(0)} s)`);
  total.passed += row.passed;
  total.failed += row.failed;
  total.skipped += row.skipped;
}
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 ? 0 : 1);
