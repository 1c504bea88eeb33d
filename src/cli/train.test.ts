// The train CLI on the CPU engine (the WebGPU run is in src/train/gpu.test.ts): a finished run is never
// overwritten, a run that crashes resumes from its last periodic checkpoint and ends where an uninterrupted
// run ends, --resume takes the checkpoint's settings and refuses flags that contradict them, Ctrl-C and a
// divergence leave a checkpoint to continue from, and bad presets and non-finite numbers are refused. Tiny
// preset, 8 steps (checkpoints at 0, 4 and 8).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import type { Engine } from '../engine/types';
import { scratchDir, tinySweep } from '../lab/runner.testkit';
import { PRESETS, type ModelConfig } from '../model/config';
import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint';
import { pretrainPhase } from '../train/phase';
import { parseSweep } from '../lab/sweep';
import { HELP, main, parseTrainArgs } from './train';
import { MAX_LAMBDA } from '../lab/sweep';
import { keepMetricsUpTo, writeFileAtomic } from './trainFiles';

const root = scratchDir('plasticity-train-cli-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cpu = async (config: ModelConfig): Promise<Engine> => createCpuEngine(config);

/** A CPU engine whose `failAt`-th optimizer step fails, as a lost GPU device would. */
const failingAt = (failAt: number) => async (config: ModelConfig): Promise<Engine> => {
  const engine = createCpuEngine(config);
  const step = engine.step.bind(engine);
  let steps = 0;
  engine.step = (hp) => (++steps === failAt ? Promise.reject(new Error('GPU device lost')) : step(hp));
  return engine;
};

/** Runs the command; `lines`: stdout, `errors`: stderr, `out`: both in order. */
async function train(argv: string[], createEngine = cpu, signal?: AbortSignal): Promise<{ code: number; out: string; lines: string[]; errors: string[] }> {
  const [lines, errors, all]: string[][] = [[], [], []];
  const code = await main(argv, { createEngine, signal, command: 'node dist-cli/train.mjs', log: (l) => (lines.push(l), all.push(l)), error: (l) => (errors.push(l), all.push(l)) });
  return { code, out: all.join('\n'), lines, errors };
}

const run = (out: string, ...more: string[]) => ['--preset', 'tiny', '--wd', '0.1', '--steps', '8', '--eval-every', '2', '--val-batches', '1', '--out', out, ...more];

/** Every file of a directory with its bytes. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('npm run train: arguments', () => {
  it('refuses a preset that is only an Object property, and a non-finite or missing lambda', () => {
    for (const preset of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => parseTrainArgs(['--preset', preset, '--wd', '0.1'])).toThrow(/--preset must be one of tiny, lab, tpp20, overtrained/);
    }
    for (const wd of ['Infinity', '1e999', '-1', '', ' ', 'abc', '100.5', '1e9']) {
      expect(() => parseTrainArgs(['--preset', 'tiny', '--wd', wd])).toThrow(`--wd (the weight decay lambda) must be a finite number from 0 to 100, got "${wd}"`);
    }
    expect(parseTrainArgs(['--preset', 'tiny', '--wd', '1e-3']).wd).toBe(0.001);
    expect(parseTrainArgs(['--preset', 'tiny', '--wd', '100']).wd).toBe(100);
    expect(() => parseTrainArgs(['--wd', '0.1'])).toThrow('--preset must be one of tiny, lab, tpp20, overtrained (or give --resume <checkpoint.bin>)');
    expect(() => parseTrainArgs(['--preset', 'tiny'])).toThrow('--wd (the weight decay lambda) is required (or give --resume <checkpoint.bin>)');
  });

  it('takes the largest lambda from the sweep schema, so train and sweep accept the same range', () => {
    expect(MAX_LAMBDA).toBe(100);
    expect(() => parseSweep({ ...tinySweep(), lambdas: [MAX_LAMBDA + 1] })).toThrow(/lambdas\.0/);
    expect(parseSweep({ ...tinySweep(), lambdas: [MAX_LAMBDA] }).lambdas).toEqual([MAX_LAMBDA]);
  });

  it('--help prints every flag with its default to stdout and exits 0, whatever else is given', async () => {
    for (const argv of [['--help'], ['-h'], ['--preset', 'nope', '--help']]) {
      const help = await train(argv);
      expect([help.code, help.errors]).toEqual([0, []]);
      expect(help.out).toBe(HELP);
    }
    for (const flag of ['--preset', '--wd', '--steps', '--seed', '--out', '--decay-group', '--eval-every', '--val-batches', '--resume', '-h, --help']) expect(HELP).toContain(`  ${flag}`);
    expect(HELP).toContain(`the preset's token budget: tiny ${PRESETS.tiny.train.steps}, lab ${PRESETS.lab.train.steps}`);
    expect(HELP).toMatch(/--seed <S> .*\(default 1\)/);
    expect(HELP).toMatch(/--out <dir> .*default runs\/<preset>-wd<lambda>-s<seed>/);
    expect(HELP).toMatch(/--val-batches <N> .*\(default 8\)/);
    expect(HELP).toMatch(/--eval-every <N> .*0: only at the first and last step/);
    expect(HELP).toMatch(/exit codes: 0 done, 1 error or bad arguments, 2 diverged, 130 cancelled/);
  });

  it('writes errors to stderr, not among the progress lines', async () => {
    const bad = await train(['--preset', 'tiny', '--wd', '0.1', '--steps', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.lines).toEqual([]);
    expect(bad.errors.join('\n')).toMatch(/^error: --steps must be an integer >= 1, got "x"\nusage: npm run train/);
  });

  it('a phase config refuses a non-finite decay or peak learning rate', () => {
    const train = PRESETS.tiny.train;
    expect(() => pretrainPhase(train, Infinity)).toThrow('PhaseConfig (pretrain): weightDecay Infinity must be a finite number >= 0');
    expect(() => pretrainPhase(train, 0.1, { schedule: { peakLr: Infinity, warmupFrac: 0.1, minLrFrac: 0.1 } })).toThrow(/peakLr Infinity must be a finite number > 0/);
    expect(() => pretrainPhase(train, 0.1, { schedule: { peakLr: NaN, warmupFrac: 0.1, minLrFrac: 0.1 } })).toThrow(/peakLr NaN/);
  });
});

describe('npm run train: its --out directory', () => {
  const done = join(root, 'done');

  it('refuses to run again into a finished run, naming --resume and --out, and leaves every file as it was', async () => {
    const first = await train(run(done));
    expect(first.code, first.out).toBe(0);
    expect(first.lines.at(-1)).toMatch(/^completed at step 8\/8/);
    const before = snapshot(done);
    expect(Object.keys(before).sort()).toEqual(['checkpoint.bin', 'metrics.jsonl', 'result.json']); // no temporary file left
    const again = await train(run(done));
    expect(again.code).toBe(1);
    expect(again.out).toContain(`error: --out ${done} already holds a run (checkpoint.bin, result.json, metrics.jsonl); nothing was changed. ` +
      `To continue that run, add --resume ${join(done, 'checkpoint.bin')}; to train a new run, choose another --out (or delete that directory).`);
    expect(snapshot(done)).toEqual(before);
    const resumedDone = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(done, 'checkpoint.bin')]);
    expect(resumedDone.code).toBe(1);
    expect(resumedDone.out).toContain(`error: --resume ${join(done, 'checkpoint.bin')} is the end of a finished run: its result is ` +
      `${join(done, 'result.json')}; nothing was changed. To train it further, start a new run with more --steps.`);
    expect(snapshot(done)).toEqual(before);
  });

  it('refuses to resume a finished run into another directory too (it would write a zero-step result there)', async () => {
    const elsewhere = join(root, 'done-elsewhere');
    const resumedDone = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(done, 'checkpoint.bin'), '--out', elsewhere]);
    expect(resumedDone.code).toBe(1);
    expect(resumedDone.out).toContain(`error: --resume ${join(done, 'checkpoint.bin')} is the end of a finished run: resuming it into --out ${elsewhere} ` +
      'would only write a zero-step result there; nothing was changed. To train it further, start a new run with more --steps.');
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('refuses a directory holding only metrics (no --resume to offer), and accepts one with an empty metrics file', async () => {
    const partial = join(root, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, 'metrics.jsonl'), '{"type":"config"}\n');
    const refused = await train(run(partial));
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/already holds a run \(metrics\.jsonl\); nothing was changed\. To train a new run, choose another --out/);
    expect(readFileSync(join(partial, 'metrics.jsonl'), 'utf8')).toBe('{"type":"config"}\n');
    writeFileSync(join(partial, 'metrics.jsonl'), '');
    expect((await train(run(partial))).code).toBe(0);
  });

  it('cuts metrics back to a checkpoint: records up to its step stay; later ones, results, the config of a session cut away whole and a torn last line go', () => {
    const path = join(root, 'cut.jsonl');
    const lines = [
      { type: 'config', resumedAt: null }, { type: 'eval', step: 0 }, { type: 'step', step: 1 }, { type: 'step', step: 2 },
      { type: 'result', status: 'cancelled', stepsDone: 2 }, { type: 'config', resumedAt: 2 }, { type: 'step', step: 3 }, { type: 'eval', step: 3 },
    ].map((r) => JSON.stringify(r));
    writeFileSync(path, lines.join('\n') + '\n{"type":"step","st');
    expect(keepMetricsUpTo(path, 2)).toBe(5); // the cancelled span's result, the session resumed at 2, steps 3 and the torn line
    expect(readFileSync(path, 'utf8')).toBe([...lines.slice(0, 4), ''].join('\n'));
    expect(keepMetricsUpTo(path, 2)).toBe(0);
    // A resume from step 0 evaluates at step 0 again, and the first session's config goes with all it recorded.
    expect(keepMetricsUpTo(path, 0)).toBe(4);
    expect(readFileSync(path, 'utf8').trim()).toBe('');
    // a session that recorded steps before the checkpoint keeps its config record; every result goes
    const sessions = [
      { type: 'config', resumedAt: null }, { type: 'step', step: 1 }, { type: 'result', status: 'cancelled', stepsDone: 1 },
      { type: 'config', resumedAt: 1 }, { type: 'step', step: 2 }, { type: 'step', step: 3 },
    ].map((r) => JSON.stringify(r));
    writeFileSync(path, sessions.join('\n') + '\n');
    expect(keepMetricsUpTo(path, 3)).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe([...sessions.slice(0, 2), ...sessions.slice(3), ''].join('\n'));
    expect(keepMetricsUpTo(join(root, 'no-metrics.jsonl'), 2)).toBe(0);
    expect(existsSync(join(root, 'no-metrics.jsonl'))).toBe(false);
  });

  it('replaces a file whole or not at all: a failed write keeps the old file', () => {
    const path = join(root, 'atomic.bin');
    writeFileAtomic(path, 'old');
    mkdirSync(`${path}.tmp-${process.pid}`); // the temporary file cannot be written
    expect(() => writeFileAtomic(path, 'new')).toThrow(/could not write .*atomic\.bin/);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});

describe('npm run train: periodic checkpoints and --resume', () => {
  const straight = join(root, 'straight');
  const crashed = join(root, 'crashed');
  const movedFrom = join(root, 'moved-from'); // a run that crashed after its checkpoint at step 4, and stays so

  it('a run that fails at step 8 says where its last checkpoint (step 4) is; resuming it records each step once and ends where an uninterrupted run ends', async () => {
    expect((await train(run(straight, '--seed', '3'))).code).toBe(0);

    const failed = await train(run(crashed, '--seed', '3'), failingAt(8));
    expect(failed.code).toBe(1);
    const checkpoint = join(crashed, 'checkpoint.bin');
    const command = `node dist-cli/train.mjs --resume ${checkpoint}`; // the bundle, not npm run (which rebuilds dist-cli/)
    expect(failed.errors.join('\n')).toContain(`error: GPU device lost\nthe last checkpoint is ${checkpoint} (step 4); to continue from it: ${command}`);
    expect(decodeCheckpoint(new Uint8Array(readFileSync(checkpoint)))).toMatchObject({ progress: { step: 4 }, sampler: { step: 4 }, meta: { preset: 'tiny', seed: 3 } });
    expect(existsSync(join(crashed, 'result.json'))).toBe(false);
    expect(metrics(crashed).filter((r) => r.type === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]); // 5 and 6 after the checkpoint

    const resumed = await train(command.split(' ').slice(2)); // the printed command, as given: no --preset, --wd, --seed, --steps, --out
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toMatch(/8 steps \(resuming at 4\)/);
    expect(resumed.lines.at(-1)).toMatch(new RegExp(`^completed at step 8/8: .* Wrote ${crashed}$`));
    const result = JSON.parse(readFileSync(join(crashed, 'result.json'), 'utf8'));
    expect(result).toMatchObject({ preset: 'tiny', seed: 3, phase: { steps: 8, evalEvery: 2 }, result: { status: 'completed', stepsDone: 8, stepsThisCall: 4 } });
    const config = metrics(crashed).filter((r) => r.type === 'config');
    expect(config.map((c) => [c.seed, c.resumedAt])).toEqual([[3, null], [3, 4]]);
    // every step and evaluation once (those the crash cut off after step 4 were dropped and trained again),
    // with the numbers of the run that never stopped
    const records = (dir: string, type: string) => metrics(dir).filter((r) => r.type === type).map(({ step, loss, valLoss }) => ({ step, loss, valLoss }));
    expect(records(crashed, 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(records(crashed, 'step')).toEqual(records(straight, 'step'));
    expect(records(crashed, 'eval')).toEqual(records(straight, 'eval'));
    // parameters, moments, sampler and progress: the same numbers as the run that never stopped (the header's
    // key order may differ: a resumed run's phase config was read back through the checkpoint's schema)
    const ckptOf = (dir: string) => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoint.bin'))));
    expect(ckptOf(crashed)).toEqual(ckptOf(straight));
  });

  it('a run resumed into another directory saves its checkpoint there at the start; after a crash there, the printed command resumes it', async () => {
    const from = movedFrom;
    const to = join(root, 'moved-to');
    expect((await train(run(from, '--seed', '3'), failingAt(6))).code).toBe(1); // checkpoint at step 4
    const fromBefore = snapshot(from);
    const failed = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(from, 'checkpoint.bin'), '--out', to], failingAt(1));
    expect(failed.code).toBe(1);
    const checkpoint = join(to, 'checkpoint.bin');
    const command = `node dist-cli/train.mjs --resume ${checkpoint}`;
    expect(failed.out).toContain(`error: GPU device lost\nthe last checkpoint is ${checkpoint} (step 4); to continue from it: ${command}`);
    expect(failed.out).not.toContain('--out');
    expect(decodeCheckpoint(new Uint8Array(readFileSync(checkpoint)))).toMatchObject({ progress: { step: 4 }, meta: { preset: 'tiny', seed: 3, valBatches: 1 } });
    expect(snapshot(from)).toEqual(fromBefore); // the run resumed from is left as it was

    // the command that resumed it, given again, is refused (it would start over in a directory holding a run) and says what to give
    const again = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(from, 'checkpoint.bin'), '--out', to]);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`already holds a run (checkpoint.bin, metrics.jsonl); nothing was changed. Drop --out to continue the run in ${from}, ` +
      `or choose an empty --out. To continue the run in ${to}, give --resume ${checkpoint} without --out.`);

    const resumed = await train(command.split(' ').slice(2));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.lines.at(-1)).toMatch(new RegExp(`^completed at step 8/8: .* Wrote ${to}$`));
    // the session that crashed before recording anything after step 4 leaves no config record of its own
    expect(metrics(to).filter((r) => r.type === 'config').map((c) => c.resumedAt)).toEqual([4]);
    expect(metrics(to).filter((r) => r.type === 'step').map((r) => r.step)).toEqual([5, 6, 7, 8]);
    const ckptOf = (dir: string) => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoint.bin'))));
    expect(ckptOf(to)).toEqual(ckptOf(straight));
  });

  it('--resume refuses flags that contradict the checkpoint, all of them named, and changes nothing', async () => {
    const before = snapshot(straight);
    const resume = join(straight, 'checkpoint.bin');
    const conflicting = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', resume, '--seed', '1', '--steps', '20', '--decay-group', 'matrices']);
    expect(conflicting.code).toBe(1);
    expect(conflicting.out).toContain(`error: --resume ${resume} was trained with --seed 3, --steps 8, --decay-group all, not --seed 1, --steps 20, --decay-group matrices: ` +
      'a resumed run keeps its checkpoint\'s settings. Give the same values (or leave those flags out), or start a new run with another --out.');
    expect(conflicting.out).toMatch(/usage: npm run train/);
    const otherLambda = await train(['--preset', 'tiny', '--wd', '0.3', '--resume', resume, '--eval-every', '5', '--val-batches', '2']);
    expect(otherLambda.out).toContain('was trained with --wd 0.1, --eval-every 2, --val-batches 1, not --wd 0.3, --eval-every 5, --val-batches 2');
    expect((await train(['--preset', 'lab', '--wd', '0.1', '--resume', resume])).out).toContain('was trained with --preset tiny, not --preset lab');
    expect(snapshot(straight)).toEqual(before);
  });

  it('--resume into another directory refuses one that holds a run, and refuses a checkpoint train did not write', async () => {
    const resume = join(straight, 'checkpoint.bin');
    const other = join(root, 'other');
    cpSync(straight, other, { recursive: true });
    const before = snapshot(other);
    const refused = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(movedFrom, 'checkpoint.bin'), '--out', other]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`--out ${other} already holds a run (checkpoint.bin, result.json, metrics.jsonl); nothing was changed. Drop --out to continue the run in ${movedFrom}`);
    expect(snapshot(other)).toEqual(before);

    const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(resume)));
    const foreign = join(root, 'foreign.bin');
    writeFileSync(foreign, encodeCheckpoint({ ...ckpt, meta: { lambda: 0.1, seed: 3 } })); // a sweep's checkpoint has no preset
    const notOurs = await train(['--preset', 'tiny', '--wd', '0.1', '--resume', foreign]);
    expect(notOurs.out).toMatch(/error: --resume .*foreign\.bin is not a checkpoint of npm run train \(meta\.preset: /);
    expect((await train(['--preset', 'tiny', '--wd', '0.1', '--resume', join(root, 'missing.bin')])).out).toMatch(/--resume .*missing\.bin: cannot read it \(ENOENT\)/);
  });

  it('Ctrl-C or SIGTERM stops at a submit, writes the checkpoint there, says how to continue and exits 130', async () => {
    const out = join(root, 'cancelled');
    const abort = new AbortController();
    const lines: string[] = [];
    const log = (l: string) => (lines.push(l), l.startsWith('step ') && abort.abort());
    const code = await main(run(out), { createEngine: cpu, signal: abort.signal, log, command: 'node dist-cli/train.mjs' });
    expect(code).toBe(130);
    const checkpoint = join(out, 'checkpoint.bin');
    const [, step] = /^cancelled at step (\d+)\/8: train loss \d\.\d+, .*; to continue: node dist-cli\/train\.mjs --resume (.*)$/.exec(lines.at(-1)!) ?? [];
    expect(lines.at(-1)).toMatch(new RegExp(`--resume ${checkpoint}$`));
    expect(Number(step)).toBeLessThan(8);
    expect(decodeCheckpoint(new Uint8Array(readFileSync(checkpoint))).progress.step).toBe(Number(step));

    // resumed: the cancelled span's result record is gone, one result at the end, each step once
    const resumed = await train(['--resume', checkpoint]);
    expect(resumed.code, resumed.out).toBe(0);
    const records = metrics(out);
    expect(records.filter((r) => r.type === 'result').map((r) => r.status)).toEqual(['completed']);
    expect(records.at(-1)).toMatchObject({ type: 'result', status: 'completed', stepsDone: 8 });
    expect(records.filter((r) => r.type === 'config').map((r) => r.resumedAt)).toEqual([null, Number(step)]);
    expect(records.filter((r) => r.type === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a run cancelled before its first step says that no step finished (not a NaN loss)', async () => {
    const out = join(root, 'cancelled-at-once');
    const abort = new AbortController();
    abort.abort();
    const cancelled = await train(run(out), cpu, abort.signal);
    expect(cancelled.code).toBe(130);
    expect(cancelled.lines.at(-1)).toMatch(new RegExp(`^cancelled at step 0/8: no step finished, .* Wrote ${out}; to continue: node dist-cli/train\\.mjs --resume ${join(out, 'checkpoint.bin')}$`));
    expect(cancelled.out).not.toContain('NaN');
  });

  it('--resume alone takes the preset and lambda from the checkpoint', async () => {
    const out = join(root, 'resume-alone');
    expect((await train(run(out), failingAt(6))).code).toBe(1); // checkpoint at step 4
    const resumed = await train(['--resume', join(out, 'checkpoint.bin')]);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toMatch(/^tiny: .* 8 steps \(resuming at 4\), lambda 0\.1 \(all\)/m);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toMatchObject({ preset: 'tiny', phase: { weightDecay: 0.1, steps: 8 }, result: { status: 'completed' } });
  });

  it('a diverged run exits 2 and keeps its last checkpoint from before the divergence', async () => {
    const out = join(root, 'diverged');
    // lambda 100 (the largest) does not blow the tiny preset up in 8 steps: a loss that turns NaN at step 6 does
    const nanFrom = (first: number) => async (config: ModelConfig): Promise<Engine> => {
      const engine = createCpuEngine(config);
      const forward = engine.forward.bind(engine);
      let calls = 0;
      engine.forward = (batch) => forward(batch).then((loss) => (++calls >= first ? NaN : loss));
      return engine;
    };
    const diverged = await train(['--preset', 'tiny', '--wd', '0.1', '--steps', '8', '--val-batches', '1', '--out', out], nanFrom(6));
    expect(diverged.code, diverged.out).toBe(2);
    const [, after, before] = /^DIVERGED after (\d+) steps: .*; the last checkpoint, from step (\d+) before it diverged, is (.*)\.$/.exec(diverged.errors.at(-1)!) ?? [];
    expect(Number(before)).toBe(4);
    expect(Number(after)).toBeGreaterThan(4);
    expect(diverged.errors.at(-1)).toContain(`is ${join(out, 'checkpoint.bin')}.`);
    expect(decodeCheckpoint(new Uint8Array(readFileSync(join(out, 'checkpoint.bin')))).progress.step).toBe(Number(before));
  });
});
