// Pretrain one model on Node + Dawn:
//   npm run train -- --preset <p> --wd <lambda> [--steps N] [--seed S] [--out dir] [--decay-group all|matrices]
//                    [--eval-every N] [--val-batches N] [--resume checkpoint.bin]
// Loads the corpus from public/data (`npm run data` builds it), trains with the preset's defaults (steps
// default to the preset's token budget) through runPhase, prints progress a few times a second at most,
// and writes to --out (default runs/<preset>-wd<lambda>-s<seed>/): checkpoint.bin (--resume continues it
// with the checkpoint's own phase config and data order; --preset and --wd must match it),
// metrics.jsonl (one JSON object a line: config, step, eval, result) and result.json. Exit codes: 0 done
// (or cancelled with Ctrl-C, checkpoint written), 1 error, 2 diverged.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCorpusFromDisk } from '../data/node';
import { WindowSampler, type WindowSamplerState } from '../data/sampler';
import { WebGpuEngine } from '../engine/webgpu';
import { describeAdapter, type Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';
import { PRESETS, paramCount, timescale, type DecayGroup, type ModelConfig, type PresetName } from '../model/config';
import { initParams } from '../model/init';
import { fixedWindowBatches } from '../train/batches';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from '../train/checkpoint';
import { assertTrainingMemoryFits } from '../train/memory';
import { pretrainPhase, type PhaseConfig } from '../train/phase';
import { freshProgress, runPhase, type EvalMetrics, type PhaseProgress, type PhaseResult, type StepMetrics } from '../train/runPhase';
import { isMainCommand, stopOnCtrlC, UsageError } from '../util/cli';

export const USAGE =
  'usage: npm run train -- --preset <tiny|lab|tpp20|overtrained> --wd <lambda> [--steps N] [--seed S] [--out dir]\n' +
  '                        [--decay-group all|matrices] [--eval-every N] [--val-batches N] [--resume checkpoint.bin]';

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
}

const FLAGS = ['--preset', '--wd', '--steps', '--seed', '--out', '--decay-group', '--eval-every', '--val-batches', '--resume'] as const;

function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return n;
}

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const given: Partial<Record<(typeof FLAGS)[number], string>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as (typeof FLAGS)[number];
    if (!FLAGS.includes(flag)) throw new UsageError(`unknown argument "${argv[i]}"`);
    if (argv[i + 1] === undefined) throw new UsageError(`${flag} needs a value`);
    given[flag] = argv[i + 1];
  }
  const preset = given['--preset'] as PresetName | undefined;
  if (!preset || !(preset in PRESETS)) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  const wd = Number(given['--wd']);
  if (given['--wd'] === undefined || !(wd >= 0)) throw new UsageError(`--wd (the weight decay lambda) must be a number >= 0, got "${given['--wd'] ?? ''}"`);
  const decayGroup = (given['--decay-group'] ?? 'all') as DecayGroup;
  if (decayGroup !== 'all' && decayGroup !== 'matrices') throw new UsageError(`--decay-group must be all or matrices, got "${decayGroup}"`);
  const seed = wholeNumber('--seed', given['--seed'], 0) ?? 1;
  return {
    preset, wd, seed, decayGroup,
    steps: wholeNumber('--steps', given['--steps'], 1),
    out: given['--out'] ?? join('runs', `${preset}-wd${wd}-s${seed}`),
    evalEvery: wholeNumber('--eval-every', given['--eval-every'], 0),
    valBatches: wholeNumber('--val-batches', given['--val-batches'], 1) ?? 8,
    resume: given['--resume'],
  };
}

export interface TrainDeps {
  /** A device to use (tests); by default one is created and destroyed. */
  gpu?: Gpu;
  log?: (line: string) => void;
  /** Cancel (e.g. Ctrl-C): the run stops at the next submit, writes its checkpoint and exits 0. */
  signal?: AbortSignal;
}

interface RunSetup {
  model: ModelConfig;
  phase: PhaseConfig;
  progress: PhaseProgress;
  sampler: WindowSampler;
  resumed: Checkpoint | null;
}

function setup(args: TrainArgs, trainTokens: Uint8Array): RunSetup {
  const preset = PRESETS[args.preset];
  if (args.resume) {
    const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(args.resume)));
    if (ckpt.sampler.kind !== 'window-sampler') throw new Error(`--resume: ${args.resume} is a ${ckpt.phase.kind} checkpoint, not pretraining`);
    if (ckpt.meta.preset !== args.preset || ckpt.phase.weightDecay !== args.wd) {
      throw new Error(`--resume: ${args.resume} is preset ${String(ckpt.meta.preset)} at lambda ${ckpt.phase.weightDecay}; pass the same --preset and --wd`);
    }
    const sampler = WindowSampler.fromState(trainTokens, ckpt.sampler as WindowSamplerState);
    return { model: ckpt.model, phase: ckpt.phase, progress: ckpt.progress, sampler, resumed: ckpt };
  }
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

/** Trains one run; returns the exit code (0 done or cancelled, 1 error, 2 diverged). */
export async function main(argv: readonly string[], deps: TrainDeps = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  let args: TrainArgs;
  try {
    args = parseTrainArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`${error.message}\n${USAGE}`);
    return 1;
  }
  let gpu: Gpu | undefined = deps.gpu;
  let engine: WebGpuEngine | null = null;
  try {
    const corpus = await loadCorpusFromDisk({ files: ['train', 'validation'] });
    const [trainTokens, valTokens] = [corpus.files.train!, corpus.files.validation!];
    const run = setup(args, trainTokens);
    const { model, phase } = run;
    const { B, T } = { B: run.sampler.config.batchSize, T: model.T };
    gpu ??= await createNodeGpu('plasticity-lab-train');
    assertTrainingMemoryFits(model, [{ B, T }], gpu.adapter.limits);
    engine = await WebGpuEngine.create(gpu, model);
    if (run.resumed) await restoreCheckpoint(engine, run.resumed);
    else await engine.writeParams(initParams(engine.table, model, args.seed));
    const out = resolve(args.out);
    mkdirSync(out, { recursive: true });
    const metricsPath = join(out, 'metrics.jsonl');
    const record = (line: object) => appendFileSync(metricsPath, JSON.stringify(line) + '\n');
    if (!run.resumed) writeFileSync(metricsPath, '');

    const ts = timescale({ ...phase.schedule, steps: phase.steps }, phase.weightDecay);
    log(`adapter: ${describeAdapter(gpu.adapter)}`);
    log(`${args.preset}: ${paramCount(model).toLocaleString('en-US')} params, B=${B} T=${T}, ${phase.steps} steps` +
      `${run.resumed ? ` (resuming at ${run.progress.step})` : ''}, lambda ${phase.weightDecay} (${model.decayGroup}), ` +
      `S=${fmt(ts.S, 3)}, exp(-lambda S)=${fmt(ts.shrink, 3)}, tau/T=${fmt(ts.tauOverT, 3)}`);
    record({ type: 'config', preset: args.preset, seed: args.seed, model, phase, timescale: ts, adapter: gpu.adapter, resumedAt: run.resumed ? run.progress.step : null });

    const printer = progressPrinter(log, phase.steps);
    const result: PhaseResult = await runPhase(engine, phase, run.sampler, {
      validation: fixedWindowBatches(valTokens, B, T, args.valBatches),
      signal: deps.signal,
      onMetrics: (m) => {
        m.losses.forEach((loss, i) => record({ type: 'step', step: m.firstStep + i, loss, lr: m.lrs[i], gradNorm: m.gradNorms[i] }));
        printer.metrics(m);
      },
      onEval: (e) => {
        record({ type: 'eval', step: e.step, valLoss: e.valLoss, valBitsPerChar: e.valBitsPerChar });
        printer.eval(e);
      },
    }, { from: run.progress });

    record({ type: 'result', ...result });
    writeFileSync(join(out, 'result.json'), JSON.stringify({ preset: args.preset, seed: args.seed, model, phase, timescale: ts, result }, null, 2));
    if (result.status === 'diverged') {
      log(`DIVERGED after ${result.stepsDone} steps: ${result.reason}. No checkpoint written; metrics in ${metricsPath}.`);
      return 2;
    }
    const ckpt = await captureCheckpoint(engine, {
      phase, progress: result.progress, sampler: run.sampler.getState(), meta: { preset: args.preset, seed: args.seed, lambda: phase.weightDecay },
    });
    writeFileSync(join(out, 'checkpoint.bin'), encodeCheckpoint(ckpt));
    const val = result.lastValLoss === null ? 'n/a' : fmt(result.lastValLoss / Math.LN2);
    log(`${result.status} at step ${result.stepsDone}/${phase.steps}: train loss ${fmt(result.recentLoss ?? NaN)}, val ${val} bits/char, ` +
      `${fmt(result.seconds, 1)} s, ${Math.round(result.tokensPerSecond).toLocaleString('en-US')} tok/s. Wrote ${out}`);
    return 0;
  } catch (error) {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    engine?.dispose();
    if (!deps.gpu) gpu?.device.destroy();
  }
}

if (isMainCommand('train')) {
  const signal = stopOnCtrlC('stopping at the next submit (the checkpoint will be written)');
  process.exitCode = await main(process.argv.slice(2), { signal });
}
