// Run a sweep headless on Node + Dawn (the same runner as the page):
//   npm run sweep -- --config <sweep.json> --out <dir> [--shard i/n]        (--help: every flag)
// The config is a sweep definition (configs/default.json, configs/tiny.json), validated: a bad field is named.
// --out is the sweep's directory (results.json, store.json, checkpoints/, persist/files.ts); running the same
// command again skips finished runs and resumes unfinished ones from their last checkpoint; a directory whose
// results it cannot take over whole (a corrupt record, a results.json without store.json) is refused
// untouched. --shard i/n runs only shard i (0-based) of n (shardRuns: round-robin, deterministic), for job
// arrays: one directory per shard, then `npm run sweep:merge`; a shard that holds no run says so and exits 0
// without starting the GPU. Random-init controls of a seed go with the shard that holds the seed's first
// lambda. Progress goes to stdout, errors to stderr. Exit codes (EXIT): 0 done, 1 error, 130 cancelled by
// Ctrl-C or SIGTERM (rerun to resume). calibrate.ts runs its sweeps through openSweepDir and sweepEngines.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCorpusFromDisk } from '../data/node';
import type { Engine } from '../engine/types';
import { WebGpuEngine } from '../engine/webgpu';
import { describeAdapter, type Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { paramCount, type ModelConfig } from '../model/config';
import { INDEX_FILE, openFileStore, RESULTS_FILE, type FileResultStore } from '../lab/persist/files';
import type { Results, Score } from '../lab/results';
import { canonicalJson, sweepDifference } from '../lab/resultsBook';
import { checkSweepRunnable, requiredDataFiles, runSweep, type RunnerEvent } from '../lab/runner';
import { maxBatchTokens, runTimescale } from '../lab/runnerPlan';
import type { MemoryLimits } from '../train/memory';
import { parseSweep, pretrainSteps, runId, runModel, shardRuns, sweepRuns, type RunKey, type SweepDefinition } from '../lab/sweep';
import { errorLine, EXIT, helpText, isMainCommand, outputOf, parseFlags, stopOnSignals, UsageError, wantsHelp, type CliOutput } from '../util/cli';

export const USAGE = 'usage: npm run sweep -- --config <sweep.json> --out <dir> [--shard i/n]        (--help: every flag)';

export const HELP = helpText(
  USAGE,
  'Runs a sweep (pretraining, measurements, fine-tuning per lambda and seed) on Node + Dawn with the page\'s runner.\n' +
    'The same arguments work with node dist-cli/sweep.mjs once dist-cli/ is built (what job arrays should run).',
  [
    { flag: '--config <file>', help: 'the sweep definition (required): configs/default.json, configs/tiny.json, or one the page wrote' },
    { flag: '--out <dir>', help: 'the sweep\'s directory (required): results.json, store.json, checkpoints/; the same command again resumes it' },
    { flag: '--shard <i/n>', help: 'only shard i (0-based) of n: every n-th run of the sweep (default: the whole sweep); merge with npm run sweep:merge' },
  ],
  ['Every status change is written at once and every phase checkpoints along the way: after Ctrl-C, SIGTERM or a crash, run the same command again.'],
);

export interface SweepArgs {
  config: string;
  out: string;
  shard?: { index: number; count: number };
}

export function parseSweepArgs(argv: readonly string[]): SweepArgs {
  const given = parseFlags(argv, ['--config', '--out', '--shard'] as const);
  if (!given['--config']) throw new UsageError('--config <sweep.json> is required');
  if (!given['--out']) throw new UsageError('--out <dir> is required');
  const shardText = given['--shard'];
  const m = shardText === undefined ? null : /^(\d+)\/(\d+)$/.exec(shardText);
  if (shardText !== undefined && !m) throw new UsageError(`--shard must be i/n (e.g. 0/4), got "${shardText}"`);
  return { config: given['--config'], out: given['--out'], ...(m ? { shard: { index: Number(m[1]), count: Number(m[2]) } } : {}) };
}

/** Reads and validates a sweep file; the error names the file and the bad fields. */
export function readSweepFile(path: string): SweepDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSweep(json, path);
}

/** A stable id for a sweep definition: its name as a slug and a hash of the definition. */
export function sweepIdOf(sweep: SweepDefinition): string {
  let h = 0x811c9dc5;
  for (const ch of canonicalJson(sweep)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  const slug = sweep.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'sweep';
  return `${slug}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

const fmt = (x: number | null | undefined, digits = 4) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** Progress lines: status changes, the runner's log, controls, and per run a metrics line at most every `minMs`. */
export function sweepPrinter(log: (line: string) => void, minMs = 2000): (event: RunnerEvent) => void {
  const status = new Map<string, string>();
  const printed = new Map<string, { at: string; time: number }>();
  const latest = new Map<string, { loss?: number | null; val?: number | null }>();
  return (event) => {
    if (event.type === 'log') log(event.message);
    else if (event.type === 'control') log(`control ${event.control.task} seed ${event.control.seed}: ${event.control.result.status}, ${scoreText(event.control.result.score)}`);
    else if (event.type === 'run') {
      const { id, status: now, error } = event.run;
      if (status.get(id) !== now) log(`${id}: ${now}${error ? ` (${error})` : ''}`);
      status.set(id, now);
    } else {
      const { runId: id, series, progress } = event.batch;
      const seen = latest.get(id) ?? {};
      for (const [name, s] of Object.entries(series)) {
        if (name.endsWith('.loss')) seen.loss = s.y.at(-1);
        if (name.endsWith('valBitsPerChar')) seen.val = s.y.at(-1);
      }
      latest.set(id, seen);
      const now = performance.now();
      const [at, last] = [`${progress?.phase} ${progress?.step}`, printed.get(id)];
      if (!progress || at === last?.at || (now - (last?.time ?? -Infinity) < minMs && progress.step !== progress.steps)) return;
      printed.set(id, { at, time: now });
      const speed = progress.tokensPerSecond ? `  ${Math.round(progress.tokensPerSecond).toLocaleString('en-US')} tok/s` : '';
      const val = progress.phase === 'pretrain' ? `  val ${fmt(seen.val)} bits/char` : '';
      const loss = progress.phase === 'measure' ? '' : `  loss ${fmt(seen.loss)}`;
      log(`${id}: ${progress.phase} ${progress.step}/${progress.steps}${loss}${val}${speed}`);
    }
  };
}

function scoreText(score: Score): string {
  const value = score.metric === 'bpc' ? `${fmt(score.value)} bits/char` : `${fmt(score.value === null ? null : 100 * score.value, 1)}% ${score.metric}`;
  return score.answerNll === undefined ? value : `${value} (answer NLL ${fmt(score.answerNll)})`;
}

/** One line per requested run: status, base validation bits/char, each task's score after fine-tuning. */
export function summaryLines(results: Results, keys: readonly RunKey[]): string[] {
  return keys.map((key) => {
    const run = results.runs.find((r) => r.id === runId(key));
    if (!run) return `${runId(key)}: missing`;
    const tasks = run.finetunes.map((f) => `${f.task} ${scoreText(f.score)}`).join('; ');
    return `${run.id}: ${run.status}, base ${fmt(run.base?.valBitsPerChar)} bits/char${tasks ? `; ${tasks}` : ''}${run.error ? ` (${run.error})` : ''}`;
  });
}

export interface SweepDeps extends CliOutput {
  /** A device to use (tests, calibrate); by default one is created and destroyed. */
  gpu?: Gpu;
  /** Another engine (the CPU engine in orchestration tests); default: WebGpuEngine on the device. */
  createEngine?: (config: ModelConfig) => Promise<Engine>;
  /** Cancel (Ctrl-C, SIGTERM): the current phase stops at its next submit; a rerun resumes from the last checkpoint. */
  signal?: AbortSignal;
  /** Where the corpus is (default public/data). */
  dataDir?: string;
}

/** A sweep directory opened to run one sweep in: its store, the sweep's id there, the results it holds (to resume). */
export interface SweepDir {
  out: string;
  store: FileResultStore;
  sweepId: string;
  resume?: Results;
}

/** Opens (creating) `out` for `sweep`. Refuses, changing nothing, a results.json without store.json (a merged or
 *  copied file) and the results of another sweep. */
export async function openSweepDir(out: string, sweep: SweepDefinition): Promise<SweepDir> {
  if (existsSync(join(out, RESULTS_FILE)) && !existsSync(join(out, INDEX_FILE))) {
    throw new UsageError(`${out} holds ${RESULTS_FILE} but no ${INDEX_FILE}, so it is not a sweep directory this command can resume ` +
      `(a merged or copied results file?); nothing was changed. Use another --out, or move ${RESULTS_FILE} away to run the sweep here.`);
  }
  const store = await openFileStore(out);
  if (!store.sweepId) return { out, store, sweepId: sweepIdOf(sweep) };
  const resume = (await store.loadSweep(store.sweepId)).results;
  const diff = sweepDifference(resume.sweep, sweep);
  if (diff) throw new UsageError(`${out} holds results of a different sweep ("${resume.sweep.name}", differs in ${diff}): use another --out`);
  return { out, store, sweepId: store.sweepId, resume };
}

/** What runs a sweep's models: the engine factory, the device recorded in the results, its memory limits. */
export interface SweepEngines {
  createEngine: (config: ModelConfig) => Promise<Engine>;
  device: Results['device'];
  /** Known before any engine: the runner checks the sweep fits first. */
  memoryLimits?: MemoryLimits;
  /** The device, where one was created here (the caller destroys it). */
  created?: Gpu;
}

/** deps.createEngine (tests: the CPU engine), or WebGpuEngine on deps.gpu or on a new device. */
export async function sweepEngines(sweep: SweepDefinition, deps: SweepDeps, label = 'plasticity-lab-sweep'): Promise<SweepEngines> {
  if (deps.createEngine) return { createEngine: deps.createEngine, device: { adapter: 'CPU engine (float64 reference)', vendor: 'cpu', architecture: 'cpu', build: __BUILD_ID__ } };
  const g = deps.gpu ?? (await createNodeGpu(label));
  return {
    createEngine: (config) => WebGpuEngine.create(g, config, { maxTokens: maxBatchTokens(sweep) }),
    device: { adapter: describeAdapter(g.adapter), vendor: g.adapter.vendor, architecture: g.adapter.architecture, build: __BUILD_ID__ },
    memoryLimits: g.adapter.limits,
    ...(deps.gpu ? {} : { created: g }),
  };
}

/** Runs the sweep (or one shard of it); returns the exit code (EXIT: 0 done, 1 error, 130 cancelled). */
export async function main(argv: readonly string[], deps: SweepDeps = {}): Promise<number> {
  const { log, error: fail } = outputOf(deps);
  if (wantsHelp(argv)) return (log(HELP), EXIT.done);
  let created: Gpu | undefined;
  try {
    const args = parseSweepArgs(argv);
    const sweep = readSweepFile(args.config);
    const runs = args.shard ? shardRuns(sweep, args.shard.index, args.shard.count) : sweepRuns(sweep);
    if (!runs.length) {
      log(`shard ${args.shard!.index}/${args.shard!.count} of sweep "${sweep.name}" holds no runs (the sweep has ${sweepRuns(sweep).length}): ` +
        `nothing to run, nothing written to ${args.out}`);
      return EXIT.done;
    }
    const corpus = await loadCorpusFromDisk({ dir: deps.dataDir, files: requiredDataFiles(sweep) });
    checkSweepRunnable(sweep, corpus, args.config);
    const dir = await openSweepDir(resolve(args.out), sweep);
    const engines = await sweepEngines(sweep, deps);
    created = engines.created;
    const model = runModel(sweep);
    const ts = runTimescale(sweep, 1);
    log(`sweep "${sweep.name}": ${runs.length} of ${sweepRuns(sweep).length} runs${args.shard ? ` (shard ${args.shard.index}/${args.shard.count})` : ''}, ` +
      `preset ${sweep.preset} (${paramCount(model).toLocaleString('en-US')} params), ${pretrainSteps(sweep)} pretraining steps a run, S=${ts.S.toFixed(3)}`);
    log(`device: ${engines.device.adapter}; build ${engines.device.build}; writing ${join(dir.out, RESULTS_FILE)}`);
    const started = performance.now();
    const host = { ...engines, corpus, store: dir.store, emit: sweepPrinter(log) };
    const results = await runSweep(host, sweep, { sweepId: dir.sweepId, runs, signal: deps.signal, resume: dir.resume });
    await dir.store.saveSweep(dir.sweepId, results);
    summaryLines(results, runs).forEach((line) => log(line));
    const seconds = (performance.now() - started) / 1000;
    const cancelled = deps.signal?.aborted === true;
    log(`${cancelled ? 'cancelled (run the same command again to resume)' : 'finished'} in ${seconds.toFixed(1)} s; results in ${join(dir.out, RESULTS_FILE)}`);
    return cancelled ? EXIT.cancelled : EXIT.done;
  } catch (error) {
    fail(errorLine(error, USAGE));
    return EXIT.error;
  } finally {
    created?.device.destroy();
  }
}

if (isMainCommand('sweep')) {
  const signal = stopOnSignals();
  process.exitCode = await main(process.argv.slice(2), { signal });
}
