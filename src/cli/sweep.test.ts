// The sweep CLIs on the CPU engine (the WebGPU run is in src/lab/runner.gpu.test.ts): malformed sweep files
// are refused naming the bad field, a sharded sweep merged equals the unsharded one, a rerun skips finished
// runs, and the merge refuses shards of different sweeps.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import { INDEX_FILE, RESULTS_FILE } from '../lab/persist/files';
import { parseResults } from '../lab/results';
import { comparable, scratchDir, TINY_CONFIG, tinySweep } from '../lab/runner.testkit';
import type { ModelConfig } from '../model/config';
import { HELP as MERGE_HELP, main as merge } from './sweep-merge';
import { HELP, main as sweepMain, parseSweepArgs, sweepIdOf } from './sweep';

const root = scratchDir('plasticity-sweep-cli-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `out`: stdout and stderr in order; `stdout`, `stderr` apart; `engines`: how many engines were created. */
interface Ran {
  code: number;
  out: string;
  stdout: string[];
  stderr: string[];
  engines: number;
}

async function cli(argv: string[], signal?: AbortSignal): Promise<Ran> {
  const [stdout, stderr, all]: string[][] = [[], [], []];
  let engines = 0;
  const createEngine = async (config: ModelConfig) => (engines++, createCpuEngine(config));
  const code = await sweepMain(argv, { createEngine, signal, log: (l) => (stdout.push(l), all.push(l)), error: (l) => (stderr.push(l), all.push(l)) });
  return { code, out: all.join('\n'), stdout, stderr, engines };
}

function mergeCli(argv: string[]): Omit<Ran, 'engines'> {
  const [stdout, stderr, all]: string[][] = [[], [], []];
  const code = merge(argv, { log: (l) => (stdout.push(l), all.push(l)), error: (l) => (stderr.push(l), all.push(l)) });
  return { code, out: all.join('\n'), stdout, stderr };
}

function configFile(name: string, content: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const readResults = (path: string) => parseResults(JSON.parse(readFileSync(path, 'utf8')), path);

describe('npm run sweep: arguments and sweep files', () => {
  const tiny = tinySweep();
  const cases: Array<[string, unknown, RegExp]> = [
    ['a wrong type', { ...tiny, pretrain: { ...tiny.pretrain, peakLr: 'fast' } }, /pretrain\.peakLr: .*expected number/],
    ['a misspelt key', { ...tiny, lambda: [0, 1] }, /Unrecognized key: "lambda"/],
    ['an empty grid', { ...tiny, lambdas: [] }, /lambdas: /],
    ['an unknown task', { ...tiny, tasks: [{ name: 'ADD', trainSize: 8, testSize: 8 }] }, /tasks\.0\.name/],
    ['a task smaller than a batch', { ...tiny, tasks: [{ name: 'ADD-R', trainSize: 2, testSize: 8 }] }, /tasks\.0\.trainSize: ADD-R has 2 examples, fewer than one fine-tuning batch/],
    ['broken JSON', '{"version": 1,', /is not valid JSON/],
  ];
  for (const [what, content, message] of cases) {
    it(`refuses a sweep file with ${what}, naming the problem`, async () => {
      const path = configFile(`bad-${what.replace(/\W+/g, '-')}.json`, content);
      const { code, out } = await cli(['--config', path, '--out', join(root, 'never')]);
      expect(code).toBe(1);
      expect(out).toMatch(message);
      expect(out).toContain(path);
      expect(existsSync(join(root, 'never'))).toBe(false); // refused before anything is written
    });
  }

  it('refuses bad arguments with the usage line', async () => {
    expect(() => parseSweepArgs(['--config', 'x.json'])).toThrow(/--out <dir> is required/);
    expect(() => parseSweepArgs(['--config', 'x', '--out', 'y', '--shard', '1-4'])).toThrow(/--shard must be i\/n/);
    const { code, out } = await cli(['--config', TINY_CONFIG, '--out', join(root, 'never'), '--shard', '4/4']);
    expect([code, out]).toEqual([1, expect.stringMatching(/--shard 4\/4: need 0 <= i < n/)]);
    expect((await cli(['--confg', TINY_CONFIG])).out).toMatch(/unknown argument "--confg"[\s\S]*usage: npm run sweep/);
  });

  it('--help prints every flag to stdout and exits 0 (sweep and sweep:merge)', async () => {
    for (const argv of [['--help'], ['--config', 'x.json', '-h']]) {
      const help = await cli(argv);
      expect([help.code, help.stderr, help.stdout]).toEqual([0, [], [HELP]]);
    }
    for (const flag of ['--config <file>', '--out <dir>', '--shard <i/n>', '-h, --help']) expect(HELP).toContain(`  ${flag}`);
    expect(HELP).toMatch(/--shard <i\/n> .*\(default: the whole sweep\)/);
    expect(HELP).toMatch(/exit codes: 0 done, 1 error or bad arguments, 130 cancelled/);
    const mergeHelp = mergeCli(['--out', 'x.json', '--help']);
    expect([mergeHelp.code, mergeHelp.stderr, mergeHelp.stdout]).toEqual([0, [], [MERGE_HELP]]);
    expect(MERGE_HELP).toMatch(/--out <file> .*\n.*<dir or file> \.\.\./);
  });

  it('writes errors to stderr, apart from progress (sweep and sweep:merge)', async () => {
    const bad = await cli(['--config', join(root, 'missing.json'), '--out', join(root, 'never')]);
    expect([bad.code, bad.stdout]).toEqual([1, []]);
    expect(bad.stderr.join('\n')).toMatch(/^error: cannot read --config .*missing\.json: ENOENT\nusage: npm run sweep/);
    const badMerge = mergeCli(['--out', join(root, 'no.json'), join(root, 'missing')]);
    expect([badMerge.code, badMerge.stdout]).toEqual([1, []]);
    expect(badMerge.stderr.join('\n')).toMatch(/^error: .*missing.* does not exist/);
  });

  it('a shard that holds no runs says so and exits 0, writing nothing and starting no engine', async () => {
    const out = join(root, 'empty-shard');
    const empty = await cli(['--config', TINY_CONFIG, '--out', out, '--shard', '5/6']); // the tiny sweep has 4 runs
    expect([empty.code, empty.engines, empty.stderr]).toEqual([0, 0, []]);
    expect(empty.out).toBe(`shard 5/6 of sweep "tiny: smoke sweep" holds no runs (the sweep has 4): nothing to run, nothing written to ${out}`);
    expect(existsSync(out)).toBe(false);
  });

  it('a cancelled sweep (Ctrl-C, SIGTERM) exits 130, so `sweep && sweep:merge` stops', async () => {
    const out = join(root, 'cancelled');
    const abort = new AbortController();
    abort.abort();
    const cancelled = await cli(['--config', TINY_CONFIG, '--out', out], abort.signal);
    expect(cancelled.code, cancelled.out).toBe(130);
    expect(cancelled.stdout.at(-1)).toMatch(/^cancelled \(run the same command again to resume\) in /);
  });

  it('names a sweep by its definition', () => {
    expect(sweepIdOf(tiny)).toMatch(/^tiny-smoke-sweep-[0-9a-f]{8}$/);
    expect(sweepIdOf({ ...tiny, lambdas: [0, 2] })).not.toBe(sweepIdOf(tiny));
  });
});

describe('npm run sweep: shards, merge, resume', () => {
  const whole = join(root, 'whole');
  const shards = [join(root, 'shard0'), join(root, 'shard1')];

  it('a sweep run as two shards and merged equals the sweep run whole; a rerun skips finished runs', async () => {
    const first = await cli(['--config', TINY_CONFIG, '--out', whole]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/wd0-s0: done, base \d\.\d{4} bits\/char; ADD-R .*% exact \(answer NLL/);
    for (const [i, dir] of shards.entries()) {
      const shard = await cli(['--config', TINY_CONFIG, '--out', dir, '--shard', `${i}/2`]);
      expect(shard.code, shard.out).toBe(0);
      expect(shard.out).toMatch(new RegExp(`2 of 4 runs \\(shard ${i}/2\\)`));
    }
    expect(readResults(join(shards[1], RESULTS_FILE)).runs.map((r) => r.id)).toEqual(['wd1-s0', 'wd1-s1']);
    expect(readResults(join(shards[1], RESULTS_FILE)).controls).toEqual([]); // controls go with each seed's first lambda

    const merged = join(root, 'merged', 'all.json');
    const m = mergeCli(['--out', merged, ...shards]);
    expect(m.code, m.out).toBe(0);
    expect(m.out).toMatch(/merged 2 inputs: 4 runs, 4 controls/);
    expect(comparable(readResults(merged))).toEqual(comparable(readResults(join(whole, RESULTS_FILE))));

    const again = await cli(['--config', TINY_CONFIG, '--out', whole]);
    expect(again.code).toBe(0);
    expect(again.out.match(/already done, skipped/g)).toHaveLength(4);
    expect(again.out).not.toMatch(/resumes|: pretraining|control:/);
  });

  it('the merge refuses an --out that is one of its inputs, and writes its output whole or not at all', () => {
    const before = shards.map((dir) => readFileSync(join(dir, RESULTS_FILE), 'utf8'));
    for (const [out, input] of [[join(shards[0], RESULTS_FILE), shards[0]], [shards[1], shards[1]], [relative(process.cwd(), join(shards[1], RESULTS_FILE)), shards[1]]]) {
      const m = mergeCli(['--out', out, ...shards]);
      expect(m.code).toBe(1);
      expect(m.out).toContain(`error: --out ${out} is the input ${input}: the merge would replace what it merges; nothing was written. Choose another --out.`);
    }
    const file = configFile('shard1-results.json', readFileSync(join(shards[1], RESULTS_FILE), 'utf8'));
    expect(mergeCli(['--out', file, shards[0], file]).out).toContain(`error: --out ${file} is the input ${file}`);
    expect(shards.map((dir) => readFileSync(join(dir, RESULTS_FILE), 'utf8'))).toEqual(before);

    const merged = join(root, 'merged', 'all.json');
    const old = readFileSync(merged, 'utf8');
    mkdirSync(`${merged}.tmp-${process.pid}`); // the temporary file cannot be written
    const failed = mergeCli(['--out', merged, ...shards]);
    rmSync(`${merged}.tmp-${process.pid}`, { recursive: true });
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/error: could not write .*all\.json/);
    expect(readFileSync(merged, 'utf8')).toBe(old);
    expect(readdirSync(join(root, 'merged'))).toEqual(['all.json']);
  });

  it('refuses to merge shards of different sweeps, and to run another sweep into a used directory', async () => {
    const other = readResults(join(shards[1], RESULTS_FILE));
    const path = configFile('other-results.json', { ...other, sweep: { ...other.sweep, finetune: { ...other.sweep.finetune, lr: 0.5 } } });
    const m = mergeCli(['--out', join(root, 'no.json'), shards[0], path]);
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/holds a different sweep than .*shard0.*differ in finetune\.lr/);
    expect(mergeCli(['--out', join(root, 'no.json'), join(root, 'missing')]).out).toMatch(/missing does not exist \(did that shard run\?\)/);
    const otherSweep = configFile('other-sweep.json', { ...tinySweep(), lambdas: [0, 3] });
    const run = await cli(['--config', otherSweep, '--out', whole]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/holds results of a different sweep .*differs in lambdas.*use another --out/);
  });

  it('refuses to resume a sweep whose results.json holds a run that fails the schema, and changes nothing', async () => {
    const dir = join(root, 'corrupt');
    cpSync(whole, dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, RESULTS_FILE), 'utf8'));
    json.runs[1].status = 'exploded'; // wd1-s0, finished: dropping it would retrain it and lose the record
    writeFileSync(join(dir, RESULTS_FILE), JSON.stringify(json));
    const before = readFileSync(join(dir, RESULTS_FILE), 'utf8');
    const index = readFileSync(join(dir, INDEX_FILE), 'utf8');
    const run = await cli(['--config', TINY_CONFIG, '--out', dir]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(new RegExp(`^error: ${join(dir, RESULTS_FILE)}: stored run wd1-s0 of sweep .* is corrupt \\(run\\.status: .*\\)\\. Nothing was changed`));
    expect(run.out.split('\n')).toHaveLength(1); // refused before the sweep started: no progress, no run skipped or retrained
    expect(readFileSync(join(dir, RESULTS_FILE), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, INDEX_FILE), 'utf8')).toBe(index);
  });

  it('runs into an --out whose first save stopped between store.json and results.json (a kill there), instead of refusing it', async () => {
    const dir = join(root, 'index-only');
    mkdirSync(dir);
    writeFileSync(join(dir, INDEX_FILE), JSON.stringify({ sweepId: sweepIdOf(tinySweep()), checkpoints: [] }));
    const run = await cli(['--config', TINY_CONFIG, '--out', dir, '--shard', '0/4']);
    expect(run.code, run.out).toBe(0);
    expect(run.out).not.toMatch(/holds no sweep/);
    expect(readResults(join(dir, RESULTS_FILE)).runs.map((r) => [r.id, r.status])).toEqual([['wd0-s0', 'done']]);
  });

  it('refuses an --out holding results.json but no store.json, saying what is there and what to do', async () => {
    const dir = join(root, 'results-only');
    mkdirSync(dir);
    cpSync(join(whole, RESULTS_FILE), join(dir, RESULTS_FILE));
    const before = readFileSync(join(dir, RESULTS_FILE), 'utf8');
    const run = await cli(['--config', TINY_CONFIG, '--out', dir]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`error: ${dir} holds results.json but no store.json, so it is not a sweep directory this command can resume ` +
      '(a merged or copied results file?); nothing was changed. Use another --out, or move results.json away to run the sweep here.');
    expect(readFileSync(join(dir, RESULTS_FILE), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual([RESULTS_FILE]);
  });
});
