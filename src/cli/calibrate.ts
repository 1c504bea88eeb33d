// Calibrate a task's training-set size (science.md, issue 11: a mid-lambda model should land between 30% and
// 70% after fine-tuning, so the sweep can show differences in both directions):
//   npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes 10000,20000,40000
//                        [--lambda L] [--seeds 0,1,2]
// For each size, a sweep derived from the config (one lambda: the middle of its grid unless --lambda; its seeds
// unless --seeds; only this task, at that size; no probes, no random-init control) runs through `npm run
// sweep` into <dir>/<task>-<size> (resumable, like any sweep), on one GPU device. Every size's sweep is built
// and validated before any runs, so a size the task cannot supply is refused at once (sweep.ts). The band
// applies to the score above chance, (score - chance) / (1 - chance): chance is 0 for exact match and one over
// the choices for SENT (50%), whose raw 51% is the floor, not the band. Then a table of the score after
// fine-tuning per size (mean over seeds, raw and above chance, each seed's), and the smallest size whose score
// above chance lands in the band (inBand, null if none), written to <dir>/<task>-calibration.json with advice.
// Threshold tasks (KV, ADD-R at this size) are learned by some seeds and not others: scores that fall as size
// grows mean one seed per size is not enough, and the advice says so. A size whose sweep fails is recorded
// (score null, its error) and the others still run and are written. Exit codes: 0 done, 1 error or a size failed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { RESULTS_FILE } from '../lab/persist/files';
import { parseResults, type Results } from '../lab/results';
import { parseSweep, TASKS, type SweepDefinition, type TaskName } from '../lab/sweep';
import { SENT_CHOICES } from '../data/tasks/sent';
import { main as runSweepCli, readSweepFile, type SweepDeps } from './sweep';
import { errorLine, isMainCommand, stopOnCtrlC, UsageError } from '../util/cli';

export const USAGE =
  'usage: npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes n1,n2,... [--lambda L] [--seeds s1,s2]\n' +
  '  (the 30-70% band applies to the score above chance, (score - chance) / (1 - chance); use 3 seeds for threshold tasks)';

/** The band a mid-lambda score above chance should land in (fractions of the way from chance to perfect). */
export const BAND = [0.3, 0.7] as const;

export interface CalibrateArgs {
  config: string;
  out: string;
  task: TaskName;
  sizes: number[];
  lambda?: number;
  seeds?: number[];
}

/** A comma-separated list; an empty entry is refused (Number('') is 0: `--seeds ''` is not seed 0). */
const numbers = (flag: string, text: string, integer: boolean): number[] => {
  const parts = text.split(',').map((t) => t.trim());
  const values = parts.map(Number);
  if (parts.some((t) => t === '') || values.some((v) => !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))) {
    throw new UsageError(`${flag} must be a comma-separated list of ${integer ? 'non-negative integers' : 'numbers'}, got "${text}"`);
  }
  return values;
};

/** One lambda: a calibration runs at one (the band is for a mid-lambda model), so a list is refused, not cut to its first. */
function oneLambda(text: string): number {
  const values = numbers('--lambda', text, false);
  if (values.length !== 1) throw new UsageError(`--lambda takes one lambda (a calibration runs at one; the sweep's middle one by default), got "${text}"`);
  return values[0];
}

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
  const lambda = given['--lambda'] === undefined ? undefined : oneLambda(given['--lambda']);
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

/** A task's score by guessing: 0 for exact match (a guess never generates the whole answer), one over the
 *  choices for SENT (a likelihood choice between SENT_CHOICES). DOMAIN is refused by the arguments. */
export const chanceScore = (task: TaskName): number => (task === 'SENT' ? 1 / SENT_CHOICES.length : 0);

/** How far a score lies from chance towards perfect: (score - chance) / (1 - chance); the band applies to it. */
export const scoreAboveChance = (score: number, chance: number): number => (score - chance) / (1 - chance);

export interface SizeScore {
  size: number;
  /** Mean score after fine-tuning (exact match, accuracy) over the seeds that finished; null if none did. */
  score: number | null;
  /** The task's score by guessing (chanceScore). */
  chance: number;
  /** scoreAboveChance of the mean score; the band applies to it. */
  aboveChance: number | null;
  seeds: number;
  /** Each finished seed's score, in run order. */
  seedScores: number[];
  /** Why this size's sweep failed (then no score). */
  error?: string;
}

function withScores(task: TaskName, size: number, values: number[], error?: string): SizeScore {
  const chance = chanceScore(task);
  const score = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const aboveChance = score === null ? null : scoreAboveChance(score, chance);
  return { size, score, chance, aboveChance, seeds: values.length, seedScores: values, ...(error === undefined ? {} : { error }) };
}

/** The task's score after fine-tuning, averaged over finished runs. */
export function sizeScore(results: Results, task: TaskName, size: number): SizeScore {
  const values = results.runs.flatMap((r) => r.finetunes.filter((f) => f.task === task && f.status === 'done' && f.score.value !== null).map((f) => f.score.value!));
  return withScores(task, size, values);
}

/** A size whose sweep failed: no score, the reason. */
export const failedSize = (task: TaskName, size: number, error: string): SizeScore => withScores(task, size, [], error);

/** A size with a score (some seed finished fine-tuning). */
export type MeasuredSize = SizeScore & { score: number; aboveChance: number };
const isMeasured = (s: SizeScore): s is MeasuredSize => s.score !== null && s.aboveChance !== null;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const BAND_TEXT = `${100 * BAND[0]}-${100 * BAND[1]}% above chance`;

/** The smallest measured size whose score above chance lands in the band, if any. */
export function sizeInBand(scores: readonly SizeScore[]): MeasuredSize | undefined {
  return scores.filter(isMeasured).find((s) => s.aboveChance >= BAND[0] && s.aboveChance <= BAND[1]);
}

/**
 * The smallest size in the band, or which way to go when none is. Scores that fall as the size grows mean the
 * outcome varies by seed (a threshold task: a run learns it or not), so the mean over more seeds decides.
 */
export function recommend(scores: readonly SizeScore[]): string {
  const measured = scores.filter(isMeasured);
  if (!measured.length) return 'no size finished fine-tuning: nothing to recommend';
  const inBand = sizeInBand(measured);
  let advice: string | undefined;
  if (inBand) advice = `use trainSize ${inBand.size} (score ${pct(inBand.score)}, ${pct(inBand.aboveChance)} above chance: in the ${BAND_TEXT} band)`;
  else if (measured.every((s) => s.aboveChance < BAND[0])) advice = `every size scores below the band (under ${100 * BAND[0]}% above chance): try sizes above ${measured.at(-1)!.size} (or more epochs)`;
  else if (measured.every((s) => s.aboveChance > BAND[1])) advice = `every size scores above the band (over ${100 * BAND[1]}% above chance): try sizes below ${measured[0].size}`;
  const monotone = measured.every((s, i) => i === 0 || s.aboveChance >= measured[i - 1].aboveChance);
  if (monotone) return advice ?? 'the scores jump over the band between neighbouring sizes: try sizes between them';
  const seeds = Math.min(...measured.map((s) => s.seeds));
  const more = seeds < 3 ? 'run more seeds (--seeds 0,1,2) and read the mean over them' : `read the mean over the ${seeds} seeds (more seeds narrow it)`;
  const varies = `the scores do not rise with size: the outcome varies by seed (a threshold task: a run learns it or not), so ${more}`;
  return advice ? `${advice}; but ${varies}` : varies;
}

function tableLine(s: SizeScore): string {
  const size = `${String(s.size).padStart(8)} examples: `;
  if (s.error !== undefined) return `${size}failed (${s.error})`;
  if (!isMeasured(s)) return `${size}n/a (no seed finished fine-tuning)`;
  return `${size}${pct(s.score)}, ${pct(s.aboveChance)} above chance (${s.seeds} seed${s.seeds === 1 ? '' : 's'}: ${s.seedScores.map(pct).join(', ')})`;
}

interface SizeSweep {
  size: number;
  sweep: SweepDefinition;
  dir: string;
}

/** Runs one size's sweep (resuming what its directory holds) and reads its score; a failure is recorded, not thrown. */
async function measureSize(task: TaskName, { size, sweep, dir }: SizeSweep, deps: SweepDeps, log: (line: string) => void): Promise<SizeScore> {
  try {
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'sweep.json');
    writeFileSync(config, JSON.stringify(sweep, null, 2));
    log(`--- ${task} at ${size} examples, lambda ${sweep.lambdas[0]}, seeds ${sweep.seeds.join(',')}`);
    const lines: string[] = [];
    const code = await runSweepCli(['--config', config, '--out', dir], { ...deps, log: (line) => (lines.push(line), log(line)) });
    if (code !== 0) throw new Error(lines.at(-1)?.replace(/^error: /, '').replace(/\nusage: [\s\S]*$/, '') ?? `exit code ${code}`);
    const file = join(dir, RESULTS_FILE);
    return sizeScore(parseResults(JSON.parse(readFileSync(file, 'utf8')), file), task, size);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${task} at ${size} examples failed: ${message}\n(the other sizes go on; run the same command again to resume this one)`);
    return failedSize(task, size, message);
  }
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
    for (const sizeSweep of sweeps) {
      const score = await measureSize(args.task, sizeSweep, { ...deps, gpu }, log);
      // A stopped size holds part of its runs: no score from it, and no summary until a rerun finishes them.
      if (deps.signal?.aborted) {
        log(`cancelled at ${sizeSweep.size} examples (run the same command again to resume)`);
        return 1;
      }
      scores.push(score);
    }
    const lambda = sweeps[0].sweep.lambdas[0];
    const chance = chanceScore(args.task);
    log(`\n${args.task} after fine-tuning at lambda ${lambda} (mean over seeds; chance ${pct(chance)}, band ${BAND_TEXT}):`);
    for (const s of scores) log(tableLine(s));
    const advice = recommend(scores);
    log(advice);
    const failed = scores.filter((s) => s.error !== undefined).map((s) => s.size);
    const summary = join(args.out, `${args.task}-calibration.json`);
    mkdirSync(args.out, { recursive: true });
    const bandOn = 'aboveChance = (score - chance) / (1 - chance)';
    writeFileSync(summary, JSON.stringify({ task: args.task, lambda, chance, band: BAND, bandOn, scores, inBand: sizeInBand(scores)?.size ?? null, advice, failed, config: args.config }, null, 2));
    log(`wrote ${summary}`);
    if (failed.length) log(`error: the sweep failed at ${failed.join(', ')} examples (see above)`);
    return failed.length ? 1 : 0;
  } catch (error) {
    log(errorLine(error, USAGE));
    return 1;
  } finally {
    if (!deps.gpu) gpu?.device.destroy();
  }
}

if (isMainCommand('calibrate')) {
  const signal = stopOnCtrlC();
  process.exitCode = await main(process.argv.slice(2), { signal });
}
