// The calibration CLI on the CPU engine and the tiny preset: arguments, the derived sweeps, the score above
// chance, the table and the advice, sizes refused before anything runs, a size failing at run time, Ctrl-C; the GPU
// path is the sweep CLI's (src/lab/runner.gpu.test.ts).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import { scratchDir, TINY_CONFIG, tinySweep } from '../lab/runner.testkit';
import type { Engine } from '../engine/types';
import type { ModelConfig } from '../model/config';
import type { ResultStore } from '../lab/persist/types';
import { parseResults } from '../lab/results';
import { BASE_STORE_ID, calibrationSweep, chanceScore, HELP, main, midLambda, parseCalibrateArgs, recommend, scoreAboveChance, sharedBaseStore, sizeInBand, type SizeScore } from './calibrate';

const readResults = (path: string) => parseResults(JSON.parse(readFileSync(path, 'utf8')), path);

const root = scratchDir('plasticity-calibrate-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run calibrate: arguments and derived sweeps', () => {
  it('parses sizes (sorted, distinct), an optional lambda and seeds', () => {
    expect(parseCalibrateArgs(['--config', 'c.json', '--out', 'o', '--task', 'KV', '--sizes', '400,100,400', '--seeds', '0,2'])).toEqual({ config: 'c.json', out: 'o', task: 'KV', sizes: [100, 400], seeds: [0, 2] });
    expect(parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'SENT', '--sizes', '10', '--lambda', '0.3']).lambda).toBe(0.3);
  });

  it('explains bad arguments', () => {
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'DOMAIN', '--sizes', '10'])).toThrow(/--task must be one of ADD-R, KV, SENT, PIGLATIN/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '10,x'])).toThrow(/--sizes must be a comma-separated list of non-negative integers/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV'])).toThrow(/--sizes is required/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '1', '--epochs', '2'])).toThrow(/unknown argument "--epochs"/);
  });

  it('refuses a list of lambdas (not calibrating at its first only) and empty entries (not seed, size or lambda 0)', () => {
    const args = (...more: string[]) => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '100', ...more]);
    expect(() => args('--lambda', '0.1,0.3')).toThrow('--lambda takes one lambda (a calibration runs at one; the sweep\'s middle one by default), got "0.1,0.3"');
    expect(() => args('--lambda', '')).toThrow('--lambda must be a comma-separated list of numbers, got ""');
    expect(() => args('--seeds', '')).toThrow('--seeds must be a comma-separated list of non-negative integers, got ""');
    expect(() => args('--seeds', '0,,2')).toThrow('--seeds must be a comma-separated list of non-negative integers, got "0,,2"');
    expect(() => args('--seeds', ' ')).toThrow(/--seeds must be a comma-separated list/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '100,'])).toThrow('--sizes must be a comma-separated list of non-negative integers, got "100,"');
    expect(args('--lambda', ' 0.1 ', '--seeds', '0, 2')).toMatchObject({ lambda: 0.1, seeds: [0, 2] });
  });

  it('derives one sweep per size: the middle lambda, only the task, no probes or controls', () => {
    const base = { ...tinySweep(), lambdas: [0, 0.1, 0.3, 1, 3] };
    expect(midLambda(base)).toBe(0.3);
    const sweep = calibrationSweep(base, parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'ADD-R', '--sizes', '64']), 64);
    expect(sweep).toMatchObject({ lambdas: [0.3], seeds: base.seeds, probes: [], randomInitControl: false });
    expect(sweep.tasks).toEqual([{ ...base.tasks.find((t) => t.name === 'ADD-R')!, trainSize: 64 }]);
    expect(() => calibrationSweep(base, parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '64']), 64)).toThrow(/has no KV task/);
  });

  it('refuses a size the task cannot supply when deriving its sweep, naming the field and the limit', () => {
    const args = parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'ADD-R', '--sizes', '320000']);
    expect(() => calibrationSweep(tinySweep(), args, 320_000)).toThrow(/tasks\.0\.trainSize: ADD-R can supply at most 202725 training examples, got 320000/);
  });

  const s = (size: number, score: number | null, chance = 0, seeds = 1): SizeScore => ({
    size, score, chance, aboveChance: score === null ? null : scoreAboveChance(score, chance), seeds, seedScores: score === null ? [] : [score],
  });

  it('measures the band above chance: 0 for exact match, one over the choices for SENT', () => {
    expect(chanceScore('ADD-R')).toBe(0);
    expect(chanceScore('KV')).toBe(0);
    expect(chanceScore('SENT')).toBe(0.5);
    expect(scoreAboveChance(0.704, 0.5)).toBeCloseTo(0.408, 10);
    // SENT on the H200 (lambda 0.3, one seed): 2,500 at 51.1% is chance level, 20,000 at 70.4% is 40.8% above it
    const sent = [s(2500, 0.511, 0.5), s(5000, 0.586, 0.5), s(10000, 0.647, 0.5), s(20000, 0.704, 0.5)];
    expect(sizeInBand(sent)?.size).toBe(20000);
    expect(recommend(sent)).toBe('use trainSize 20000 (score 70.4%, 40.8% above chance: in the 30-70% above chance band)');
    expect(recommend([s(1000, 0.55, 0.5), s(2000, 0.6, 0.5)])).toMatch(/^every size scores below the band \(under 30% above chance\): try sizes above 2000/);
  });

  it('recommends the smallest size in the band, or which way to go', () => {
    expect(recommend([s(100, 0.1), s(200, 0.45), s(400, 0.6)])).toMatch(/^use trainSize 200 \(score 45.0%, 45.0% above chance/);
    expect(recommend([s(100, 0.05), s(200, 0.2)])).toMatch(/^every size scores below the band \(under 30% above chance\): try sizes above 200 \(or more epochs\)$/);
    expect(recommend([s(100, 0.8), s(200, 0.9)])).toMatch(/^every size scores above the band \(over 70% above chance\): try sizes below 100$/);
    expect(recommend([s(100, 0.1), s(200, 0.9)])).toMatch(/jump over the band between neighbouring sizes/);
    expect(recommend([s(100, null)])).toMatch(/nothing to recommend/);
    expect(recommend([s(100, 0.1), s(200, null), s(400, 0.5)])).toMatch(/^use trainSize 400/);
  });

  it('scores that fall as the size grows: the outcome varies by seed, so more seeds and their mean', () => {
    // KV on the H200 at lambda 0.3, seed 0 (each seed learns it or not)
    const kv = [s(20000, 0.136), s(25000, 0.13), s(30000, 0.832), s(35000, 0.164), s(40000, 0.94)];
    const advice = recommend(kv);
    expect(advice).toMatch(/^the scores do not rise with size: the outcome varies by seed \(a threshold task/);
    expect(advice).toMatch(/run more seeds \(--seeds 0,1,2\) and read the mean over them$/);
    expect(advice).not.toMatch(/jump over the band/);
    // the other advice stays, with the warning after it; with 3 seeds already, read their mean
    expect(recommend([s(100, 0.5), s(200, 0.4)])).toMatch(/^use trainSize 100 .*; but the scores do not rise with size.*--seeds 0,1,2/);
    expect(recommend([s(100, 0.2, 0, 3), s(200, 0.1, 0, 3)])).toMatch(/^every size scores below the band .*; but .*read the mean over the 3 seeds/);
  });
});

describe('npm run calibrate on the tiny preset (CPU engine)', () => {
  const cpu = async (config: ModelConfig): Promise<Engine> => createCpuEngine(config);

  it('runs a sweep per size, prints the table and writes the summary', async () => {
    const out = join(root, 'addr');
    const lines: string[] = [];
    const code = await main(['--config', TINY_CONFIG, '--out', out, '--task', 'ADD-R', '--sizes', '8,16', '--seeds', '0'], { createEngine: cpu, log: (l) => lines.push(l), error: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    for (const size of [8, 16]) expect(existsSync(join(out, `ADD-R-${size}`, 'results.json'))).toBe(true);
    // one base model per (lambda, seed): pretrained and measured at 8, fine-tuned at both sizes
    expect(lines.filter((l) => /^wd0-s0: pretraining/.test(l))).toHaveLength(1);
    const [at8, at16] = [8, 16].map((size) => readResults(join(out, `ADD-R-${size}`, 'results.json')).runs[0]);
    expect(at16.base).toEqual(at8.base); // the same measurements, timings included: measured once
    expect(at16.pretrain).toEqual(at8.pretrain);
    expect(at16.events.find((e) => e.kind === 'base')?.message).toBe(`base model pretrained and measured in ${join(out, 'ADD-R-8')} (one per lambda and seed, fine-tuned at every size)`);
    expect(at16.finetunes.map((f) => [f.task, f.status])).toEqual([['ADD-R', 'done']]);
    expect(readdirSync(join(out, 'ADD-R-base', 'checkpoints'))).toEqual(['wd0-s0.base.bin']); // kept for more sizes; the fine-tunes' freed
    expect(readdirSync(join(out, 'ADD-R-16', 'checkpoints'))).toEqual([]);
    const summary = JSON.parse(readFileSync(join(out, 'ADD-R-calibration.json'), 'utf8'));
    expect(summary).toMatchObject({ task: 'ADD-R', chance: 0, band: [0.3, 0.7], failed: [] });
    expect(summary.scores.map((s: SizeScore) => s.size)).toEqual([8, 16]);
    for (const s of summary.scores as SizeScore[]) {
      expect(s.seeds).toBe(1);
      expect(s.seedScores).toEqual([s.score]);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s).toMatchObject({ chance: 0, aboveChance: s.score });
    }
    expect(lines.join('\n')).toMatch(/ADD-R after fine-tuning at lambda 0 \(mean over seeds; chance 0\.0%, band 30-70% above chance\):\n\s+8 examples: \d+\.\d%, \d+\.\d% above chance \(1 seed: \d+\.\d%\)/);
    expect(summary.advice).toBe(recommend(summary.scores));
    expect(summary.inBand).toBe(sizeInBand(summary.scores)?.size ?? null);

    // a size added later (with the earlier ones given too) fine-tunes the stored base: no pretraining, no measuring
    const more: string[] = [];
    const again = await main(['--config', TINY_CONFIG, '--out', out, '--task', 'ADD-R', '--sizes', '8,16,32', '--seeds', '0'], { createEngine: cpu, log: (l) => more.push(l), error: (l) => more.push(l) });
    expect(again, more.join('\n')).toBe(0);
    expect(more.filter((l) => /^wd0-s0: (pretraining|already)/.test(l))).toEqual(['wd0-s0: already done, skipped', 'wd0-s0: already done, skipped']);
    const at32 = readResults(join(out, 'ADD-R-32', 'results.json')).runs[0];
    expect([at32.status, at32.base]).toEqual(['done', at8.base]);
    expect(JSON.parse(readFileSync(join(out, 'ADD-R-calibration.json'), 'utf8')).scores.map((s: SizeScore) => s.size)).toEqual([8, 16, 32]);
  });

  it('--help prints every flag with its default to stdout and exits 0', async () => {
    const [stdout, stderr]: string[][] = [[], []];
    expect(await main(['--task', 'KV', '--help'], { createEngine: cpu, log: (l) => stdout.push(l), error: (l) => stderr.push(l) })).toBe(0);
    expect([stdout, stderr]).toEqual([[HELP], []]);
    for (const flag of ['--config', '--out', '--task', '--sizes', '--lambda', '--seeds', '-h, --help']) expect(HELP).toContain(`  ${flag}`);
    expect(HELP).toMatch(/--lambda <L> .*\(default: the middle of the config's lambdas\)/);
    expect(HELP).toMatch(/--seeds <s1,s2,\.\.\.> .*\(default: the config's seeds\)/);
    expect(HELP).toMatch(/exit codes: 0 done, 1 error or bad arguments, 130 cancelled/);
  });

  it('keeps base checkpoints in the shared store and every other phase in the size\'s own', async () => {
    const calls: string[] = [];
    const fake = (name: string): ResultStore => new Proxy({} as ResultStore, { get: (_, method: string) => async (...a: unknown[]) => void calls.push(`${name}.${method}(${a.slice(0, 3).join(',')})`) });
    const store = sharedBaseStore(fake('own'), fake('shared'));
    const bytes = new ArrayBuffer(4);
    await store.saveCheckpoint('s-8', 'wd0-s0', 'pretrain', bytes, 4);
    await store.loadCheckpoint('s-8', 'wd0-s0', 'base');
    await store.saveCheckpoint('s-8', 'wd0-s0', 'finetune:KV', bytes, 4);
    await store.deleteCheckpoints('s-8', 'wd0-s0', 'pretrain');
    await store.deleteCheckpoints('s-8', 'wd0-s0'); // a finished run: its own fine-tuning checkpoints only
    expect(calls).toEqual([
      `shared.saveCheckpoint(${BASE_STORE_ID},wd0-s0,pretrain)`, `shared.loadCheckpoint(${BASE_STORE_ID},wd0-s0,base)`,
      'own.saveCheckpoint(s-8,wd0-s0,finetune:KV)', `shared.deleteCheckpoints(${BASE_STORE_ID},wd0-s0,pretrain)`, 'own.deleteCheckpoints(s-8,wd0-s0,)',
    ]);
  });

  it('refuses a size the task cannot supply before anything runs', async () => {
    const out = join(root, 'too-big');
    const lines: string[] = [];
    let engines = 0;
    const code = await main(['--config', TINY_CONFIG, '--out', out, '--task', 'ADD-R', '--sizes', '8,320000', '--seeds', '0'], {
      createEngine: async (config) => (engines++, cpu(config)),
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/error: calibration sweep for ADD-R at 320000 is not a valid sweep definition[\s\S]*tasks\.0\.trainSize: ADD-R can supply at most 202725 training examples/);
    expect(engines).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('a size that fails at run time is recorded, the others still run and the summary is written; a rerun resumes it', async () => {
    const out = join(root, 'sent');
    const argv = ['--config', TINY_CONFIG, '--out', out, '--task', 'SENT', '--sizes', '8,16', '--seeds', '0'];
    const lines: string[] = [];
    let engines = 0;
    const lostOnFirst = async (config: ModelConfig) => (engines++ === 0 ? Promise.reject(new Error('the GPU device was lost (test)')) : cpu(config));
    const errors: string[] = [];
    expect(await main(argv, { createEngine: lostOnFirst, log: (l) => lines.push(l), error: (l) => (lines.push(l), errors.push(l)) })).toBe(1);
    expect(errors.join('\n')).toMatch(/^error: SENT at 8 examples failed: the GPU device was lost \(test\)[\s\S]*\nerror: the sweep failed at 8 examples/);
    const text = lines.join('\n');
    expect(text).toMatch(/SENT at 8 examples failed: the GPU device was lost \(test\)/);
    expect(text).toMatch(/\n\s+8 examples: failed \(the GPU device was lost \(test\)\)\n\s+16 examples: \d+\.\d%, -?\d+\.\d% above chance/);
    expect(text).toMatch(/error: the sweep failed at 8 examples/);
    const file = join(out, 'SENT-calibration.json');
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    expect(summary).toMatchObject({ task: 'SENT', chance: 0.5, failed: [8] });
    expect(summary.scores[0]).toEqual({ size: 8, score: null, chance: 0.5, aboveChance: null, seeds: 0, seedScores: [], error: 'the GPU device was lost (test)' });
    const sixteen = summary.scores[1] as SizeScore;
    expect(sixteen).toMatchObject({ size: 16, chance: 0.5, seeds: 1 });
    expect(sixteen.aboveChance).toBeCloseTo((sixteen.score! - 0.5) / 0.5, 12);

    const again: string[] = [];
    expect(await main(argv, { createEngine: cpu, log: (l) => again.push(l) })).toBe(0);
    expect(again.join('\n')).toMatch(/wd0-s0: already done, skipped/);
    expect(again.join('\n')).not.toMatch(/wd0-s0: pretraining/); // size 8 fine-tunes the base size 16 pretrained
    const resumed = JSON.parse(readFileSync(file, 'utf8'));
    expect(resumed.failed).toEqual([]);
    expect(resumed.scores.map((s: SizeScore) => s.seeds)).toEqual([1, 1]);
    expect(resumed.scores[1]).toEqual(sixteen);
    expect(readdirSync(out).sort()).toEqual(['SENT-16', 'SENT-8', 'SENT-base', 'SENT-calibration.json']);
  });

  it('Ctrl-C or SIGTERM stops at the size in flight: no score from its part of the runs, no summary, exit 130; a rerun finishes', async () => {
    const out = join(root, 'stopped');
    const argv = ['--config', TINY_CONFIG, '--out', out, '--task', 'ADD-R', '--sizes', '8,16', '--seeds', '0'];
    const stop = new AbortController();
    const lines: string[] = [];
    const stopOnStart = async (config: ModelConfig) => (stop.abort(), cpu(config));
    expect(await main(argv, { createEngine: stopOnStart, signal: stop.signal, log: (l) => lines.push(l) })).toBe(130);
    expect(lines.join('\n')).toMatch(/cancelled at 8 examples \(run the same command again to resume\)/);
    expect(readdirSync(out).sort()).toEqual(['ADD-R-16', 'ADD-R-8', 'ADD-R-base']); // every size opened before anything ran
    expect(existsSync(join(out, 'ADD-R-16', 'results.json'))).toBe(false);

    expect(await main(argv, { createEngine: cpu, log: () => undefined })).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'ADD-R-calibration.json'), 'utf8'));
    expect(summary.scores.map((s: SizeScore) => s.seeds)).toEqual([1, 1]);
  });
});
