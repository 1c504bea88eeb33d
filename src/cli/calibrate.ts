// Calibrate a task's training-set size (science.md, issue 11: a mid-lambda model should land between 30% and
// 70% after fine-tuning, so the sweep can show differences in both directions):
//   npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes 10000,20000,40000
//                        [--lambda L] [--seeds 0,1]
// For each size, a sweep derived from the config (one lambda: the middle of its grid unless --lambda; its seeds
// unless --seeds; only this task, at that size; no probes, no random-init control) runs through `npm run
// sweep` into <dir>/<task>-<size> (resumable, like any sweep), on one GPU device. Then a table of the score
// after fine-tuning per size (mean over seeds), and the smallest size whose score lands in the band (inBand,
// null if none), written to <dir>/<task>-calibration.json. Exit codes: 0 done, 1 error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { RESULTS_FILE } from '../lab/persist/files';
import { parseResults, type Results } from '../lab/results';
import { parseSweep, TASKS, type SweepDefinition, type TaskName } from '../lab/sweep';
import { main as runSweepCli, readSweepFile, type SweepDeps } from './sweep';
import { errorLine, isMainCommand, UsageError } from '../util/cli';

export const USAGE = 'usage: npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes n1,n2,... [--lambda L] [--seeds s1,s2]';

/** The band a mid-lambda score should land in (fractions: exact match, accuracy). */
export const BAND = [0.3, 0.7] as const;

export interface CalibrateArgs {
  config: string;
  out: string;
  task: TaskName;
  sizes: number[];
  lambda?: number;
  seeds?: number[];
}

const numbers = (flag: string, text: string, integer: boolean): number[] => {
  const values = text.split(',').map((t) => Number(t.trim()));
  if (!values.length || values.some((v) => !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))) {
    throw new UsageError(`${flag} must be a comma-separated list of ${integer ? 'non-negative integers' : 'numbers'}, got "${text}"`);
  }
  return values;
};

export function parseCalibrateArgs(argv: readonly string[]): CalibrateArgs {
  const given: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--config', '--out', '--task', '--sizes', '--lambda', '--seeds'].includes(argv[i])) throw new UsageError(`unknown argument "${argv[i]}"`);
    if (argv[i + 1] === undefined) throw new UsageError(`${argv[i]} needs a value`);
    given[argv[i]] = argv[i + 1];
  }
  for (const flag of ['--config', '--out', '--task', '--sizes']) if (!given[flag]) throw new UsageError(`${flag} is required`);
  const task = given['--task'] as TaskName;
  if (!TASKS.includes(task) || task === 'DOMAIN') throw new UsageError(`--task must be one of ${TASKS.filter((t) => t !== 'DOMAIN').join(', ')} (DOMAIN is scored in bits/char, not a band), got "${task}"`);
  const sizes = [...new Set(numbers('--sizes', given['--sizes'], true))].sort((a, b) => a - b);
  const lambda = given['--lambda'] === undefined ? undefined : numbers('--lambda', given['--lambda'], false)[0];
  const seeds = given['--seeds'] === undefined ? undefined : numbers('--seeds', given['--seeds'], true);
  return { config: given['--config'], out: given['--out'], task, sizes, ...(lambda === undefined ? {} : { lambda }), ...(seeds ? { seeds } : {}) };
}

/** The middle of the sweep's lambda grid (the default sweep: 0.3). */
export const midLambda = (sweep: SweepDefinition): number => [...sweep.lambdas].sort((a, b) => a - b)[Math.floor((sweep.lambdas.length - 1) / 2)];

/** The sweep that measures one size: the config with one lambda, the seeds, and only this task at `size`. */
export function calibrationSweep(base: SweepDefinition, args: CalibrateArgs, size: number): SweepDefinition {
  const spec = base.tasks.find((t) => t.name === args.task);
  if (!spec) throw new UsageError(`${args.config} has no ${args.task} task: add it to the config's tasks (its testSize is kept)`);
  const sweep = {
    ...base,
    name: `${base.name}: calibrate ${args.task} at ${size}`,
    lambdas: [args.lambda ?? midLambda(base)],
    seeds: args.seeds ?? base.seeds,
    tasks: [{ ...spec, trainSize: size }],
    probes: [],
    randomInitControl: false,
  };
  return parseSweep(sweep, `calibration sweep for ${args.task} at ${size}`);
}

export interface SizeScore {
  size: number;
  /** Mean score after fine-tuning over the seeds that finished; null if none did. */
  score: number | null;
  seeds: number;
}

/** The task's score after fine-tuning, averaged over finished runs. */
export function sizeScore(results: Results, task: TaskName, size: number): SizeScore {
  const values = results.runs.flatMap((r) => r.finetunes.filter((f) => f.task === task && f.status === 'done' && f.score.value !== null).map((f) => f.score.value!));
  return { size, score: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, seeds: values.length };
}

/** The smallest measured size whose score lands in the band, if any. */
export function sizeInBand(scores: readonly SizeScore[]): SizeScore | undefined {
  return scores.find((s) => s.score !== null && s.score >= BAND[0] && s.score <= BAND[1]);
}

/** The smallest size in the band, or which way to go when none is. */
export function recommend(scores: readonly SizeScore[]): string {
  const measured = scores.filter((s) => s.score !== null);
  if (!measured.length) return 'no size finished fine-tuning: nothing to recommend';
  const inBand = sizeInBand(measured);
  if (inBand) return `use trainSize ${inBand.size} (score ${(100 * inBand.score!).toFixed(1)}%, in ${100 * BAND[0]}-${100 * BAND[1]}%)`;
  if (measured.every((s) => s.score! < BAND[0])) return `every size scores below ${100 * BAND[0]}%: try sizes above ${measured.at(-1)!.size} (or more epochs)`;
  if (measured.every((s) => s.score! > BAND[1])) return `every size scores above ${100 * BAND[1]}%: try sizes below ${measured[0].size}`;
  return 'the scores jump over the band between neighbouring sizes: try sizes between them';
}

export async function main(argv: readonly string[], deps: SweepDeps = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  let gpu: Gpu | undefined = deps.gpu;
  try {
    const args = parseCalibrateArgs(argv);
    const base = readSweepFile(args.config);
    const sweeps = args.sizes.map((size) => ({ size, sweep: calibrationSweep(base, args, size), dir: resolve(join(args.out, `${args.task}-${size}`)) }));
    if (!deps.createEngine) gpu ??= await createNodeGpu('plasticity-lab-calibrate');
    const scores: SizeScore[] = [];
    for (const { size, sweep, dir } of sweeps) {
      mkdirSync(dir, { recursive: true });
      const config = join(dir, 'sweep.json');
      writeFileSync(config, JSON.stringify(sweep, null, 2));
      log(`--- ${args.task} at ${size} examples, lambda ${sweep.lambdas[0]}, seeds ${sweep.seeds.join(',')}`);
      const lines: string[] = [];
      const code = await runSweepCli(['--config', config, '--out', dir], { ...deps, gpu, log: (line) => (lines.push(line), log(line)) });
      if (code !== 0) throw new Error(`the sweep for ${size} examples failed: ${lines.at(-1)}`);
      const file = join(dir, RESULTS_FILE);
      scores.push(sizeScore(parseResults(JSON.parse(readFileSync(file, 'utf8')), file), args.task, size));
    }
    log(`\n${args.task} after fine-tuning at lambda ${sweeps[0].sweep.lambdas[0]} (mean over seeds):`);
    for (const s of scores) log(`  ${String(s.size).padStart(8)} examples: ${s.score === null ? 'n/a' : `${(100 * s.score).toFixed(1)}%`} (${s.seeds} seeds)`);
    const advice = recommend(scores);
    log(advice);
    const summary = join(args.out, `${args.task}-calibration.json`);
    writeFileSync(summary, JSON.stringify({ task: args.task, lambda: sweeps[0].sweep.lambdas[0], band: BAND, scores, inBand: sizeInBand(scores)?.size ?? null, advice, config: args.config }, null, 2));
    log(`wrote ${summary}`);
    return 0;
  } catch (error) {
    log(errorLine(error, USAGE));
    return 1;
  } finally {
    if (!deps.gpu) gpu?.device.destroy();
  }
}

if (isMainCommand('calibrate')) process.exitCode = await main(process.argv.slice(2));
