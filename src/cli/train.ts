// Pretrain one model on Node + Dawn:
//   npm run train -- --preset <p> --wd <lambda> [--steps N] [--seed S] [--out dir] [--decay-group all|matrices]
//                    [--eval-every N] [--val-batches N]
//   npm run train -- --resume <dir>/checkpoint.bin [--out dir]
// (`--help` lists every flag with its default.) Loads the corpus from public/data (`npm run data` builds it),
// trains with the preset's defaults (steps default to the preset's token budget) through runPhase, prints
// progress a few times a second at most, and writes to --out (default runs/<preset>-wd<lambda>-s<seed>/;
// trainFiles.ts): checkpoint.bin, replaced at the start, at a few fixed steps along the way (the sweep runner's
// checkpointSteps) and at Ctrl-C or SIGTERM, metrics.jsonl and result.json. An --out that already holds a run
// is refused. --resume continues a checkpoint with its own settings (preset, lambda, seed, steps, evaluation,
// decay group, data order) in its own directory unless --out says otherwise (then the checkpoint is saved there
// at the start too, so that directory is a run of its own to resume); in its own directory metrics.jsonl is
// first cut back to the checkpoint's step. Flags that contradict the checkpoint, and a finished run's last
// checkpoint, are refused. After a crash, a lost device or a cancel, the output gives the command that resumes
// (as this command was started: `node dist-cli/train.mjs --resume ...`). Progress goes to stdout, errors to
// stderr. Exit codes (EXIT): 0 done, 1 error, 2 diverged, 130 cancelled (checkpoint written).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadCorpusFromDisk } from '../data/node';
import { WindowSampler, type WindowSamplerState } from '../data/sampler';
import type { Engine } from '../engine/types';
import { WebGpuEngine } from '../engine/webgpu';
import { describeAdapter, type Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { MEASURE_SIZES } from '../lab/measureSizes';
import { checkpointSteps } from '../lab/runnerPlan';
import { PRESETS, paramCount, timescale, type DecayGroup, type ModelConfig, type PresetName } from '../model/config';
import { initParams } from '../model/init';
import { fixedWindowBatches } from '../train/batches';
import { captureCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../train/checkpoint';
import { assertTrainingMemoryFits } from '../train/memory';
import { pretrainPhase, type PhaseConfig } from '../train/phase';
import { freshProgress, runPhase, type EvalMetrics, type PhaseHooks, type PhaseProgress, type PhaseResult, type StepMetrics } from '../train/runPhase';
import { MAX_LAMBDA } from '../lab/sweep';
import { errorLine, EXIT, exitCodesHelp, helpText, invokedAs, isMainCommand, outputOf, parseFlags, shellQuote, stopOnSignals, UsageError, wantsHelp, type CliOutput } from '../util/cli';
import { assertOutFree, CHECKPOINT_FILE, keepMetricsUpTo, METRICS_FILE, readTrainCheckpoint, RESULT_FILE, writeFileAtomic, type TrainCheckpoint } from './trainFiles';

export const USAGE =
  'usage: npm run train -- --preset <tiny|lab|tpp20|overtrained> --wd <lambda> [--steps N] [--seed S] [--out dir]\n' +
  '                        [--decay-group all|matrices] [--eval-every N] [--val-batches N]\n' +
  '       npm run train -- --resume <dir>/checkpoint.bin [--out dir]        (--help: every flag and its default)';

const FLAGS = ['--preset', '--wd', '--steps', '--seed', '--out', '--decay-group', '--eval-every', '--val-batches', '--resume'] as const;
type Flag = (typeof FLAGS)[number];

/** The largest lambda: the sweep schema's (src/lab/sweep.ts owns the number), so train and sweep accept the same range. */
const DEFAULT_SEED = 1;
const DEFAULT_VAL_BATCHES = 8;

export const HELP = helpText(
  USAGE,
  'Pretrains one model on Node + Dawn (the page\'s engine) at a preset\'s defaults and writes checkpoint.bin,\n' +
    'metrics.jsonl and result.json into --out. The same arguments work with node dist-cli/train.mjs once dist-cli/ is built.',
  [
    { flag: '--preset <name>', help: `${Object.keys(PRESETS).join(', ')} (required unless --resume)` },
    { flag: '--wd <lambda>', help: `AdamW weight decay, 0 to ${MAX_LAMBDA} (required unless --resume)` },
    { flag: '--steps <N>', help: `optimizer steps (default: the preset's token budget: ${Object.entries(PRESETS).map(([n, p]) => `${n} ${p.train.steps}`).join(', ')})` },
    { flag: '--seed <S>', help: `initialization and data-order seed, an integer >= 0 (default ${DEFAULT_SEED})` },
    { flag: '--out <dir>', help: 'the run\'s directory (default runs/<preset>-wd<lambda>-s<seed>; with --resume, the checkpoint\'s own); never one holding another run' },
    { flag: '--decay-group <g>', help: 'which tensors decay: all, or matrices (ndim >= 2 only) (default all)' },
    { flag: '--eval-every <N>', help: 'validation loss every N steps (default: steps / 20, about 20 a run); 0: only at the first and last step' },
    { flag: '--val-batches <N>', help: `batches of B x T validation tokens per evaluation (default ${DEFAULT_VAL_BATCHES})` },
    { flag: '--resume <file>', help: 'continue a checkpoint.bin with its own settings (preset, lambda, seed, steps, ...); flags that contradict it are refused' },
  ],
  ['A checkpoint is written at the start, at a few fixed steps and on Ctrl-C or SIGTERM; the last line then gives the command that resumes.'],
  exitCodesHelp(true, 'it writes its checkpoint and prints the --resume command that continues it'),
);

export interface TrainArgs {
  preset: PresetName;
  wd: number;
  steps?: number;
  seed: number;
  out: string;
  decayGroup: DecayGroup;
  evalEvery?: number;
  valBatches: number;
  resume?: string;
  /** The flags given on the command line: a resumed run refuses those that contradict its checkpoint. */
  given: ReadonlySet<Flag>;
}

/** The arguments as given: with --resume, --preset, --wd and --out may be left out (the checkpoint says them). */
export type GivenTrainArgs = Omit<TrainArgs, 'preset' | 'wd' | 'out'> & Partial<Pick<TrainArgs, 'preset' | 'wd' | 'out'>>;

function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return n;
}

function parsePreset(text: string | undefined): PresetName | undefined {
  if (text !== undefined && !Object.hasOwn(PRESETS, text)) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${text}"`);
  return text as PresetName | undefined;
}

function parseLambda(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const wd = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(wd) || wd < 0 || wd > MAX_LAMBDA) {
    throw new UsageError(`--wd (the weight decay lambda) must be a finite number from 0 to ${MAX_LAMBDA}, got "${text}"`);
  }
  return wd;
}

export function parseTrainArgs(argv: readonly string[]): GivenTrainArgs {
  const given = parseFlags(argv, FLAGS);
  const resume = given['--resume'];
  const preset = parsePreset(given['--preset']);
  const wd = parseLambda(given['--wd']);
  if (!resume && !preset) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')} (or give --resume <checkpoint.bin>)`);
  if (!resume && wd === undefined) throw new UsageError('--wd (the weight decay lambda) is required (or give --resume <checkpoint.bin>)');
  const decayGroup = (given['--decay-group'] ?? 'all') as DecayGroup;
  if (decayGroup !== 'all' && decayGroup !== 'matrices') throw new UsageError(`--decay-group must be all or matrices, got "${decayGroup}"`);
  const seed = wholeNumber('--seed', given['--seed'], 0) ?? DEFAULT_SEED;
  return {
    preset, wd, seed, decayGroup, resume,
    steps: wholeNumber('--steps', given['--steps'], 1),
    out: given['--out'] ?? (resume ? undefined : join('runs', `${preset}-wd${wd}-s${seed}`)),
    evalEvery: wholeNumber('--eval-every', given['--eval-every'], 0),
    valBatches: wholeNumber('--val-batches', given['--val-batches'], 1) ?? DEFAULT_VAL_BATCHES,
    given: new Set(Object.keys(given) as Flag[]),
  };
}

/** A new run's arguments (no --resume: parseTrainArgs required the preset and lambda, and set the --out default). */
function freshArgs({ preset, wd, out, ...rest }: GivenTrainArgs): TrainArgs {
  if (preset === undefined || wd === undefined || out === undefined) throw new UsageError('--preset and --wd are required without --resume');
  return { ...rest, preset, wd, out };
}

/** The arguments of a resumed run: the checkpoint's settings (preset and lambda too), in the checkpoint's directory
 *  unless --out is given. Flags given that contradict the checkpoint are refused, all of them named. */
export function resumeArgs(args: GivenTrainArgs, { ckpt, meta }: TrainCheckpoint): TrainArgs {
  const valBatches = meta.valBatches ?? args.valBatches;
  const recorded: Array<[Flag, unknown, unknown]> = [
    ['--preset', args.preset, meta.preset], ['--wd', args.wd, ckpt.phase.weightDecay], ['--seed', args.seed, meta.seed],
    ['--steps', args.steps, ckpt.phase.steps], ['--eval-every', args.evalEvery, ckpt.phase.evalEvery],
    ['--decay-group', args.decayGroup, ckpt.model.decayGroup], ['--val-batches', args.valBatches, valBatches],
  ];
  const conflicts = recorded.filter(([flag, mine, theirs]) => args.given.has(flag) && mine !== theirs);
  if (conflicts.length) {
    const list = (i: 1 | 2) => conflicts.map((c) => `${c[0]} ${String(c[i])}`).join(', ');
    throw new UsageError(`--resume ${args.resume} was trained with ${list(2)}, not ${list(1)}: a resumed run keeps its checkpoint's settings. ` +
      'Give the same values (or leave those flags out), or start a new run with another --out.');
  }
  return {
    ...args, preset: meta.preset, wd: ckpt.phase.weightDecay, seed: meta.seed, steps: ckpt.phase.steps, evalEvery: ckpt.phase.evalEvery,
    decayGroup: ckpt.model.decayGroup, valBatches, out: args.out ?? dirname(args.resume!),
  };
}

export interface TrainDeps extends CliOutput {
  /** A device to use (tests); by default one is created and destroyed. */
  gpu?: Gpu;
  /** Another engine (the CPU engine in tests); default: WebGpuEngine on the device, after the memory check. */
  createEngine?: (config: ModelConfig) => Promise<Engine>;
  /** Cancel (Ctrl-C, SIGTERM): the run stops at the next submit, writes its checkpoint and exits 130. */
  signal?: AbortSignal;
  /** Where the corpus is (default public/data). */
  dataDir?: string;
  /** How this command was started, for the resume command it prints (default: invokedAs(), e.g. node dist-cli/train.mjs). */
  command?: string;
}

interface RunSetup {
  model: ModelConfig;
  phase: PhaseConfig;
  progress: PhaseProgress;
  sampler: WindowSampler;
  resumed: TrainCheckpoint | null;
}

function setup(args: TrainArgs, resumed: TrainCheckpoint | null, trainTokens: Uint8Array): RunSetup {
  if (resumed) {
    const { ckpt } = resumed;
    const sampler = WindowSampler.fromState(trainTokens, ckpt.sampler as WindowSamplerState);
    return { model: ckpt.model, phase: ckpt.phase, progress: ckpt.progress, sampler, resumed };
  }
  const preset = PRESETS[args.preset];
  const model = { ...preset.model, decayGroup: args.decayGroup };
  const overrides = { ...(args.steps ? { steps: args.steps } : {}), ...(args.evalEvery !== undefined ? { evalEvery: args.evalEvery } : {}) };
  const phase = pretrainPhase(preset.train, args.wd, overrides);
  const sampler = new WindowSampler(trainTokens, { seed: args.seed, batchSize: preset.train.B, seqLen: model.T });
  return { model, phase, progress: freshProgress(), sampler, resumed: null };
}

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Progress lines, at most one per `minMs` (the last step always prints). */
function progressPrinter(log: (line: string) => void, steps: number, minMs = 300) {
  let lastPrint = -Infinity;
  let val = 'n/a';
  return {
    eval(e: EvalMetrics) {
      val = fmt(e.valBitsPerChar);
    },
    metrics(m: StepMetrics) {
      const last = m.firstStep + m.losses.length - 1;
      const now = performance.now();
      if (now - lastPrint < minMs && last !== steps) return;
      lastPrint = now;
      const tokS = Math.round(m.tokensPerSecond).toLocaleString('en-US');
      log(`step ${last}/${steps}  loss ${fmt(m.losses.at(-1)!)}  val ${val} bits/char  lr ${m.lrs.at(-1)!.toExponential(2)}  ${tokS} tok/s`);
    },
  };
}

/** Two consecutive spans of one phase as one result: the later span's status and progress, summed time. */
function addSpan(total: PhaseResult | null, span: PhaseResult, tokensPerStep: number): PhaseResult {
  if (!total) return span;
  const [seconds, stepsThisCall] = [total.seconds + span.seconds, total.stepsThisCall + span.stepsThisCall];
  return {
    ...span, seconds, stepsThisCall, lastLoss: span.lastLoss ?? total.lastLoss, lastValLoss: span.lastValLoss ?? total.lastValLoss,
    tokensPerSecond: (stepsThisCall * tokensPerStep) / Math.max(seconds, 1e-9),
  };
}

/**
 * Runs the phase from `run.progress` in spans that end at the checkpoint steps, calling `save` after each
 * (and after a cancel). A divergence saves nothing: the last checkpoint stays the one before it.
 */
async function trainInSpans(engine: Engine, run: RunSetup, hooks: PhaseHooks, points: readonly number[], save: (progress: PhaseProgress) => Promise<void>): Promise<PhaseResult> {
  let progress = run.progress;
  let total: PhaseResult | null = null;
  for (const point of points) {
    if (point <= progress.step && point < run.phase.steps) continue; // the last span always runs: a result even at the end
    const span = await runPhase(engine, run.phase, run.sampler, hooks, { from: progress, until: point });
    total = addSpan(total, span, run.sampler.config.batchSize * run.model.T);
    progress = span.progress;
    if (span.status === 'diverged') break;
    await save(progress);
    if (span.status === 'cancelled') break;
  }
  return total!;
}

interface Saved {
  path: string;
  step: number;
}

/** The command that continues from `saved`: this command as it was started, the checkpoint, and --out where that
 *  is another directory. The checkpoint holds every other setting. */
export function resumeCommand(command: string, saved: Saved, out: string): string {
  const outFlag = resolve(dirname(saved.path)) === resolve(out) ? '' : ` --out ${shellQuote(out)}`;
  return `${command} --resume ${shellQuote(saved.path)}${outFlag}`;
}

/** The last line of a run that did not diverge: its status, step, losses and speed, and how to continue a cancelled one. */
function outcomeLine(result: PhaseResult, steps: number, out: string, next: string): string {
  const val = result.lastValLoss === null ? 'n/a' : fmt(result.lastValLoss / Math.LN2);
  const loss = result.recentLoss === null ? 'no step finished' : `train loss ${fmt(result.recentLoss)}, val ${val} bits/char`;
  return `${result.status} at step ${result.stepsDone}/${steps}: ${loss}, ${fmt(result.seconds, 1)} s, ` +
    `${Math.round(result.tokensPerSecond).toLocaleString('en-US')} tok/s. Wrote ${out}${next}`;
}

/** Trains one run; returns the exit code (EXIT: 0 done, 1 error, 2 diverged, 130 cancelled). */
export async function main(argv: readonly string[], deps: TrainDeps = {}): Promise<number> {
  const { log, error: fail } = outputOf(deps);
  if (wantsHelp(argv)) return (log(HELP), EXIT.done);
  const command = deps.command ?? invokedAs(process.argv[1], process.cwd(), 'node dist-cli/train.mjs');
  let gpu: Gpu | undefined = deps.gpu;
  let engine: Engine | null = null;
  let args: TrainArgs | undefined;
  let saved: Saved | null = null;
  try {
    const given = parseTrainArgs(argv);
    const resumed = given.resume ? readTrainCheckpoint(given.resume) : null;
    args = resumed ? resumeArgs(given, resumed) : freshArgs(given);
    const out = resolve(args.out);
    assertOutFree(out, args.resume, resumed !== null && resumed.ckpt.progress.step >= resumed.ckpt.phase.steps);
    const corpus = await loadCorpusFromDisk({ dir: deps.dataDir, files: ['train', 'validation'] });
    const [trainTokens, valTokens] = [corpus.files.train!, corpus.files.validation!];
    const run = setup(args, resumed, trainTokens);
    const { model, phase } = run;
    const { B, T } = { B: run.sampler.config.batchSize, T: model.T };
    let adapter = 'CPU engine (float64 reference)';
    if (deps.createEngine) engine = await deps.createEngine(model);
    else {
      gpu ??= await createNodeGpu('plasticity-lab-train');
      assertTrainingMemoryFits(model, [{ B, T }], gpu.adapter.limits);
      engine = await WebGpuEngine.create(gpu, model);
      adapter = describeAdapter(gpu.adapter);
    }
    const e = engine;
    if (resumed) {
      await restoreCheckpoint(e, resumed.ckpt);
      saved = { path: args.resume!, step: run.progress.step };
    } else await e.writeParams(initParams(e.table, model, args.seed));
    mkdirSync(out, { recursive: true });
    const metricsPath = join(out, METRICS_FILE);
    const record = (line: object) => appendFileSync(metricsPath, JSON.stringify(line) + '\n');
    // A run resumed in its own directory continues its metrics from the checkpoint's step; into another, starts them.
    const inPlace = resumed !== null && resolve(dirname(args.resume!)) === out;
    if (inPlace) keepMetricsUpTo(metricsPath, run.progress.step);
    else writeFileSync(metricsPath, '');
    const meta = { preset: args.preset, seed: args.seed, lambda: phase.weightDecay, valBatches: args.valBatches };
    const save = async (progress: PhaseProgress) => {
      const ckpt = await captureCheckpoint(e, { phase, progress, sampler: run.sampler.getState(), meta });
      await restoreCheckpoint(e, ckpt); // continue from exactly the saved numbers, as src/lab/segments.ts does
      writeFileAtomic(join(out, CHECKPOINT_FILE), encodeCheckpoint(ckpt));
      saved = { path: join(out, CHECKPOINT_FILE), step: progress.step };
    };
    if (!inPlace) await save(run.progress); // resumable from the first step on, from this directory

    const ts = timescale({ ...phase.schedule, steps: phase.steps }, phase.weightDecay);
    log(`adapter: ${adapter}`);
    log(`${args.preset}: ${paramCount(model).toLocaleString('en-US')} params, B=${B} T=${T}, ${phase.steps} steps` +
      `${resumed ? ` (resuming at ${run.progress.step})` : ''}, lambda ${phase.weightDecay} (${model.decayGroup}), ` +
      `S=${fmt(ts.S, 3)}, exp(-lambda S)=${fmt(ts.shrink, 3)}, tau/T=${fmt(ts.tauOverT, 3)}`);
    record({ type: 'config', preset: args.preset, seed: args.seed, model, phase, timescale: ts, adapter: gpu?.adapter ?? adapter, resumedAt: resumed ? run.progress.step : null });

    const printer = progressPrinter(log, phase.steps);
    const hooks: PhaseHooks = {
      validation: fixedWindowBatches(valTokens, B, T, args.valBatches),
      signal: deps.signal,
      onMetrics: (m) => {
        m.losses.forEach((loss, i) => record({ type: 'step', step: m.firstStep + i, loss, lr: m.lrs[i], gradNorm: m.gradNorms[i] }));
        printer.metrics(m);
      },
      onEval: (ev) => {
        record({ type: 'eval', step: ev.step, valLoss: ev.valLoss, valBitsPerChar: ev.valBitsPerChar });
        printer.eval(ev);
      },
    };
    const points = checkpointSteps(phase.steps, MEASURE_SIZES[args.preset].points);
    const result = await trainInSpans(e, run, hooks, points, save);

    record({ type: 'result', ...result });
    writeFileAtomic(join(out, RESULT_FILE), JSON.stringify({ preset: args.preset, seed: args.seed, model, phase, timescale: ts, result }, null, 2));
    const last: Saved | null = saved;
    if (result.status === 'diverged') {
      const kept = last ? `; the last checkpoint, from step ${last.step} before it diverged, is ${last.path}` : '';
      fail(`DIVERGED after ${result.stepsDone} steps: ${result.reason}. Metrics in ${metricsPath}${kept}.`);
      return EXIT.diverged;
    }
    const next = result.status === 'cancelled' && last ? `; to continue: ${resumeCommand(command, last, out)}` : '';
    log(outcomeLine(result, phase.steps, out, next));
    return result.status === 'cancelled' ? EXIT.cancelled : EXIT.done;
  } catch (error) {
    const last: Saved | null = saved;
    const hint = last && args ? `\nthe last checkpoint is ${last.path} (step ${last.step}); to continue from it: ${resumeCommand(command, last, resolve(args.out))}` : '';
    fail(errorLine(error, USAGE) + hint);
    return EXIT.error;
  } finally {
    engine?.dispose();
    if (!deps.gpu) gpu?.device.destroy();
  }
}

if (isMainCommand('train')) {
  const signal = stopOnSignals('stopping at the next submit (the checkpoint will be written)');
  process.exitCode = await main(process.argv.slice(2), { signal });
}
