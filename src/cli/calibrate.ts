// Calibrate a task's training-set size (science.md, issue 11: a mid-lambda model should land between 30% and
// 70% after fine-tuning, so the sweep can show differences in both directions):
//   npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes 10000,20000,40000
//                        [--lambda L] [--seeds 0,1,2]        (--help: every flag and its default)
// For each size, a sweep derived from the config (one lambda: the middle of its grid unless --lambda; its seeds
// unless --seeds; only this task, at that size; no probes, no random-init control) runs with the sweep CLI's
// runner into <dir>/<task>-<size> (resumable, like any sweep), on one GPU device. The sizes differ only in the
// fine-tuning set, so each (lambda, seed) base model is pretrained and measured once: its pretraining and base
// checkpoints live in <dir>/<task>-base (sharedBaseStore), and every other size starts that run from the base
// measurements of the size that made them (startFromBases; a test set depends only on seed and testSize, so
// the zero-shot score is the same) and only fine-tunes. Every size's sweep is built and validated, and every
// size directory opened, before any runs, so a size the task cannot supply is refused at once (sweep.ts). The
// band applies to the score above chance, (score - chance) / (1 - chance): chance is 0 for exact match and one
// over the choices for SENT (50%), whose raw 51% is the floor, not the band. Then a table of the score after
// fine-tuning per size (mean over seeds, raw and above chance, each seed's), and the smallest size whose score
// above chance lands in the band (inBand, null if none), written to <dir>/<task>-calibration.json with advice.
// Threshold tasks (KV, ADD-R at this size) are learned by some seeds and not others: scores that fall as size
// grows mean one seed per size is not enough, and the advice says so. A size whose sweep fails is recorded
// (score null, its error) and the others still run and are written. Progress goes to stdout, errors to stderr.
// Exit codes (EXIT): 0 done, 1 error or a size failed, 130 cancelled by Ctrl-C or SIGTERM (no summary; rerun).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Corpus } from '../data/corpus';
import { loadCorpusFromDisk } from '../data/node';
import type { Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { openFileStore } from '../lab/persist/files';
import type { ResultStore } from '../lab/persist/types';
import { isFinishedRun, RESULTS_VERSION, type Results, type RunResult } from '../lab/results';
import { checkSweepRunnable, requiredDataFiles, runSweep } from '../lab/runner';
import { parseSweep, runId, sweepRuns, TASKS, type SweepDefinition, type TaskName } from '../lab/sweep';
import { SENT_CHOICES } from '../data/tasks/sent';
import { openSweepDir, readSweepFile, sweepEngines, sweepPrinter, type SweepDeps, type SweepDir } from './sweep';
import { errorLine, EXIT, helpText, isMainCommand, outputOf, parseFlags, stopOnSignals, UsageError, wantsHelp } from '../util/cli';

export const USAGE =
  'usage: npm run calibrate -- --config <sweep.json> --out <dir> --task <name> --sizes n1,n2,... [--lambda L] [--seeds s1,s2]\n' +
  '  (the 30-70% band applies to the score above chance, (score - chance) / (1 - chance); use 3 seeds for threshold tasks; --help: every flag)';

export const HELP = helpText(
  USAGE.split('\n')[0],
  'Fine-tunes one lambda\'s base models on a task at each candidate training-set size and finds the smallest size whose\n' +
    'score after fine-tuning lands 30-70% of the way from chance to perfect. Each (lambda, seed) base model is pretrained\n' +
    'and measured once, in <out>/<task>-base, and fine-tuned at every size. node dist-cli/calibrate.mjs takes the same arguments.',
  [
    { flag: '--config <file>', help: 'the sweep definition the sizes are calibrated for (required): its preset, pretraining, fine-tuning, testSize' },
    { flag: '--out <dir>', help: 'where the runs go (required): <task>-<size>/ sweep directories, <task>-base/ and <task>-calibration.json' },
    { flag: '--task <name>', help: `the task (required): ${TASKS.filter((t) => t !== 'DOMAIN').join(', ')} (DOMAIN is scored in bits/char, not a band)` },
    { flag: '--sizes <n1,n2,...>', help: 'candidate training-set sizes (required), each at most what the task can supply' },
    { flag: '--lambda <L>', help: 'the weight decay to calibrate at (default: the middle of the config\'s lambdas)' },
    { flag: '--seeds <s1,s2,...>', help: 'the seeds whose mean decides (default: the config\'s seeds); use 3 for threshold tasks (KV, ADD-R)' },
  ],
  ['Ctrl-C or SIGTERM stops at the next submit without a summary; the same command again resumes from the last checkpoints.',
    'Add sizes later by giving the earlier ones too: the base models in <task>-base are fine-tuned, not pretrained again (delete it to free the space).'],
);

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
  const given = parseFlags(argv, ['--config', '--out', '--task', '--sizes', '--lambda', '--seeds'] as const);
  for (const flag of ['--config', '--out', '--task', '--sizes'] as const) if (!given[flag]) throw new UsageError(`${flag} is required`);
  const task = given['--task'] as TaskName;
  if (!TASKS.includes(task) || task === 'DOMAIN') throw new UsageError(`--task must be one of ${TASKS.filter((t) => t !== 'DOMAIN').join(', ')} (DOMAIN is scored in bits/char, not a band), got "${task}"`);
  const sizes = [...new Set(numbers('--sizes', given['--sizes']!, true))].sort((a, b) => a - b);
  const lambda = given['--lambda'] === undefined ? undefined : oneLambda(given['--lambda']);
  const seeds = given['--seeds'] === undefined ? undefined : numbers('--seeds', given['--seeds'], true);
  return { config: given['--config']!, out: given['--out']!, task, sizes, ...(lambda === undefined ? {} : { lambda }), ...(seeds ? { seeds } : {}) };
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

/** The phases of a run that make its base model: the same at every size, so kept where every size finds them. */
const BASE_PHASES: ReadonlySet<string> = new Set(['pretrain', 'base']);
/** The id the base checkpoints are stored under in <out>/<task>-base (loadBase checks model, phase, lambda and seed). */
export const BASE_STORE_ID = 'calibration-base';

/**
 * A size's store whose pretraining and base checkpoints live in `shared` instead, under BASE_STORE_ID: a size
 * finds the base models another size pretrained (the runner's loadBase, then no pretraining), and deleting a
 * finished run's checkpoints frees only the size's own (fine-tuning) ones, not the base the other sizes use.
 */
export function sharedBaseStore(own: ResultStore, shared: ResultStore): ResultStore {
  const base = (phase: string | undefined) => phase !== undefined && BASE_PHASES.has(phase);
  return {
    saveSweep: (sweepId, results) => own.saveSweep(sweepId, results),
    saveRun: (sweepId, run) => own.saveRun(sweepId, run),
    saveControl: (sweepId, control) => own.saveControl(sweepId, control),
    saveCheckpoint: (sweepId, id, phase, bytes, step) => (base(phase) ? shared.saveCheckpoint(BASE_STORE_ID, id, phase, bytes, step) : own.saveCheckpoint(sweepId, id, phase, bytes, step)),
    loadCheckpoint: (sweepId, id, phase) => (base(phase) ? shared.loadCheckpoint(BASE_STORE_ID, id, phase) : own.loadCheckpoint(sweepId, id, phase)),
    deleteCheckpoints: (sweepId, id, phase) => (base(phase) ? shared.deleteCheckpoints(BASE_STORE_ID, id, phase) : own.deleteCheckpoints(sweepId, id, phase)),
    loadSweep: (sweepId) => own.loadSweep(sweepId),
    listSweeps: () => own.listSweeps(),
    loadAll: () => own.loadAll(),
    deleteSweep: (sweepId) => own.deleteSweep(sweepId),
  };
}

/** Runs whose base model is pretrained and measured (or diverged), by run id, and the size directory that made them. */
export type Bases = Map<string, { run: RunResult; where: string }>;

export function addBases(bases: Bases, results: Results | undefined, where: string): void {
  for (const run of results?.runs ?? []) {
    if (!bases.has(run.id) && ((run.base && run.pretrain) || run.status === 'diverged')) bases.set(run.id, { run, where });
  }
}

/**
 * The results a size resumes from, with every run that has no base measurements yet started from `bases`: with
 * its base checkpoint stored (`hasBase`) it resumes as 'measuring' with the base's pretraining record and
 * measurements, so the runner neither pretrains nor measures it and goes on to fine-tune; a diverged base is
 * diverged at every size. undefined when there is nothing to resume and nothing to start from.
 */
export async function startFromBases(dir: SweepDir, sweep: SweepDefinition, device: Results['device'], bases: Bases, hasBase: (id: string) => Promise<boolean>): Promise<Results | undefined> {
  const time = new Date().toISOString();
  const started: RunResult[] = [];
  for (const key of sweepRuns(sweep)) {
    const own = dir.resume?.runs.find((r) => r.id === runId(key));
    const from = bases.get(runId(key));
    if (!from || (own && (own.base || isFinishedRun(own)))) continue;
    const diverged = from.run.status === 'diverged';
    if (!diverged && !(await hasBase(from.run.id))) continue;
    const event = { time, kind: 'base', message: `base model pretrained and measured in ${from.where} (one per lambda and seed, fine-tuned at every size)` };
    const { error, ...run } = from.run;
    const common = { ...run, finetunes: [], events: [...(own?.events ?? []), event] };
    started.push(diverged ? { ...common, status: 'diverged', ...(error === undefined ? {} : { error }) } : { ...common, status: 'measuring' });
  }
  if (!started.length) return dir.resume;
  const doc: Results = dir.resume ?? { kind: 'plasticity-lab-results', version: RESULTS_VERSION, sweep, createdAt: time, updatedAt: time, device, runs: [], controls: [] };
  return { ...doc, runs: [...doc.runs.filter((r) => !started.some((s) => s.id === r.id)), ...started] };
}

interface SizeSweep {
  size: number;
  sweep: SweepDefinition;
  dir: SweepDir;
}

interface Shared {
  corpus: Corpus;
  baseStore: ResultStore;
  bases: Bases;
  deps: SweepDeps;
  log: (line: string) => void;
}

/** Runs one size's sweep (resuming what its directory holds, starting runs from the bases) and reads its score;
 *  a failure is recorded, not thrown. */
async function measureSize(task: TaskName, { size, sweep, dir }: SizeSweep, { corpus, baseStore, bases, deps, log }: Shared): Promise<SizeScore> {
  try {
    writeFileSync(join(dir.out, 'sweep.json'), JSON.stringify(sweep, null, 2)); // what `npm run sweep` would resume it with
    const engines = await sweepEngines(sweep, deps);
    log(`--- ${task} at ${size} examples, lambda ${sweep.lambdas[0]}, seeds ${sweep.seeds.join(',')}, on ${engines.device.adapter}: ${dir.out}`);
    const hasBase = (id: string) => baseStore.loadCheckpoint(BASE_STORE_ID, id, 'base').then((c) => c !== undefined, () => false);
    const resume = await startFromBases(dir, sweep, engines.device, bases, hasBase);
    const store = sharedBaseStore(dir.store, baseStore);
    const results = await runSweep({ ...engines, corpus, store, emit: sweepPrinter(log) }, sweep, { sweepId: dir.sweepId, signal: deps.signal, resume });
    await store.saveSweep(dir.sweepId, results);
    addBases(bases, results, dir.out);
    return sizeScore(results, task, size);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    (deps.error ?? console.error)(`error: ${task} at ${size} examples failed: ${message}\n(the other sizes go on; run the same command again to resume this one)`);
    return failedSize(task, size, message);
  }
}

export async function main(argv: readonly string[], deps: SweepDeps = {}): Promise<number> {
  const { log, error: fail } = outputOf(deps);
  if (wantsHelp(argv)) return (log(HELP), EXIT.done);
  let gpu: Gpu | undefined = deps.gpu;
  try {
    const args = parseCalibrateArgs(argv);
    const base = readSweepFile(args.config);
    const sweeps = args.sizes.map((size) => ({ size, sweep: calibrationSweep(base, args, size), dir: resolve(join(args.out, `${args.task}-${size}`)) }));
    const corpus = await loadCorpusFromDisk({ dir: deps.dataDir, files: requiredDataFiles(sweeps[0].sweep) });
    // Every size directory opened (a stale one refused) before anything runs; their base models are every size's.
    const bases: Bases = new Map();
    const sizes: SizeSweep[] = [];
    for (const { size, sweep, dir } of sweeps) {
      checkSweepRunnable(sweep, corpus, `the calibration sweep for ${args.task} at ${size}`);
      sizes.push({ size, sweep, dir: await openSweepDir(dir, sweep) });
      addBases(bases, sizes.at(-1)!.dir.resume, dir);
    }
    const baseStore = await openFileStore(resolve(join(args.out, `${args.task}-base`)));
    if (!deps.createEngine) gpu ??= await createNodeGpu('plasticity-lab-calibrate');
    const shared: Shared = { corpus, baseStore, bases, deps: { ...deps, gpu, log, error: fail }, log };
    const scores: SizeScore[] = [];
    for (const size of sizes) {
      const score = await measureSize(args.task, size, shared);
      // A stopped size holds part of its runs: no score from it, and no summary until a rerun finishes them.
      if (deps.signal?.aborted) {
        log(`cancelled at ${size.size} examples (run the same command again to resume)`);
        return EXIT.cancelled;
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
    if (failed.length) fail(`error: the sweep failed at ${failed.join(', ')} examples (see above)`);
    return failed.length ? EXIT.error : EXIT.done;
  } catch (error) {
    fail(errorLine(error, USAGE));
    return EXIT.error;
  } finally {
    if (!deps.gpu) gpu?.device.destroy();
  }
}

if (isMainCommand('calibrate')) {
  const signal = stopOnSignals();
  process.exitCode = await main(process.argv.slice(2), { signal });
}
