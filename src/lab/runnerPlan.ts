// What a sweep's runs are, derived from the sweep definition alone (pure, no engine): the model, the two
// phase configs, the timescale, the seeds each random choice draws from, the measurement sizes, the batch
// shapes the memory check covers, and the checks that a sweep can run on the corpus it was given. The same
// sweep and build give the same plan everywhere, so results are reproducible from the definition.
import type { Corpus } from '../data/corpus';
import { DATA_FILE_NAMES, type DataFileName } from '../data/manifest';
import { addrExample, kvExample, pigLatinExample, rowTokens, SENT_CHOICES, TASK_FILES, type TaskExample } from '../data/tasks';
import { deriveSeed } from '../data/tasks/common';
import { KV_PAIRS } from '../data/tasks/kv';
import { MAX_WORD_LETTERS } from '../data/tasks/piglatin';
import { PRESETS, timescale } from '../model/config';
import type { BatchShape } from '../train/memory';
import { finetunePhase, pretrainPhase, type PhaseConfig } from '../train/phase';
import { MEASURE_SIZES } from './measureSizes';
import type { RunResult } from './results';
import { pretrainSteps, runId, runModel, SweepError, type ProbeName, type RunKey, type SweepDefinition, type TaskName } from './sweep';

/** Curves in results keep at most this many points (downsample: evenly spaced, first and last kept). */
export const CURVE_POINTS = 500;

const schedule = (sweep: SweepDefinition) => ({ peakLr: sweep.pretrain.peakLr, warmupFrac: sweep.pretrain.warmupFrac, minLrFrac: sweep.pretrain.minLrFrac });

/** Pretraining at decay lambda: the sweep's budget, schedule and batch; validation every evalEvery steps. */
export function pretrainConfig(sweep: SweepDefinition, lambda: number): PhaseConfig {
  const train = { ...PRESETS[sweep.preset].train, ...schedule(sweep), B: sweep.pretrain.batch };
  return pretrainPhase(train, lambda, { steps: pretrainSteps(sweep), evalEvery: sweep.pretrain.evalEvery });
}

/** Fine-tuning: one lr for every lambda, the sweep's decay (0 by default), epochs of full batches, cosine to 0. */
export function finetuneConfig(sweep: SweepDefinition, batchesPerEpoch: number): PhaseConfig {
  const { lr, epochs, weightDecay, warmupFrac } = sweep.finetune;
  return finetunePhase(
    { pretrainPeakLr: sweep.pretrain.peakLr, batchesPerEpoch, epochs },
    { schedule: { peakLr: lr, warmupFrac, minLrFrac: 0 }, weightDecay, evalEvery: 0 },
  );
}

/** S, exp(-lambda S) and tau/T of a run (tau/T is infinite at lambda 0: null, as JSON has no Infinity). */
export function runTimescale(sweep: SweepDefinition, lambda: number): RunResult['timescale'] {
  const ts = timescale({ ...schedule(sweep), steps: pretrainSteps(sweep) }, lambda);
  return { S: ts.S, shrink: ts.shrink, tauOverT: Number.isFinite(ts.tauOverT) ? ts.tauOverT : null };
}

/** Every random choice of a run draws from its seed, never from lambda: runs of one seed are paired. */
export const runSeeds = (seed: number) => ({
  init: seed,
  data: deriveSeed(seed, 'pretrain/data'),
  finetune: (task: string) => deriveSeed(seed, `finetune/${task}`),
  perturb: (draw: number) => deriveSeed(seed, `perturb/${draw}`),
  probe: (name: ProbeName) => deriveSeed(seed, `probe/${name}`),
});

/** Steps at which a phase of `steps` updates checkpoints: `points` evenly spaced, the last one = steps. */
export function checkpointSteps(steps: number, points: number): number[] {
  const out = Array.from({ length: points }, (_, k) => Math.round(((k + 1) * steps) / points)).filter((s) => s > 0);
  return [...new Set(out)];
}

/**
 * Engine batch shapes a run uses, training batch first: the memory check covers all of them. Fine-tuning and
 * scoring an example task use rows of its row length (taskRowLength, at most T) instead: batches no larger
 * than these, so they bound every buffer and maxBatchTokens. Each such shape gets a plan of its own on the GPU
 * engine, which the estimate's total leaves out: per example task at most its fine-tuning and scoring batches'
 * activations at L/T of these (lab preset: ADD-R 64x16 and KV 64x64 beside 64x128).
 */
export function batchShapes(sweep: SweepDefinition): BatchShape[] {
  const { T } = runModel(sweep);
  const rows = MEASURE_SIZES[sweep.preset].rows;
  return [{ B: sweep.pretrain.batch, T }, { B: sweep.finetune.batch, T }, { B: rows, T }];
}

/** The most tokens one batch of the sweep holds: what a WebGpuEngine must be prepared for. */
export function maxBatchTokens(sweep: SweepDefinition): number {
  return Math.max(...batchShapes(sweep).map(({ B, T }) => B * T));
}

/** The corpus files a sweep reads: pretraining text, validation, its tasks' files and its probes' files. */
export function requiredDataFiles(sweep: SweepDefinition): DataFileName[] {
  const needed = new Set<DataFileName>(['train', 'validation']);
  for (const t of sweep.tasks) TASK_FILES[t.name].forEach((f) => needed.add(f));
  const PROBE_FILES: Record<ProbeName, DataFileName[]> = { sentiment: ['imdb-tails', 'imdb-labels'], genre: ['probe-brown'] };
  for (const p of sweep.probes) PROBE_FILES[p].forEach((f) => needed.add(f));
  return DATA_FILE_NAMES.filter((f) => needed.has(f));
}

/** The smallest training set of a task that fills one fine-tuning batch (DOMAIN: characters, batch windows of T + 1). */
export function minTrainSize(sweep: SweepDefinition, name: TaskName): number {
  return name === 'DOMAIN' ? sweep.finetune.batch * runModel(sweep).T + 1 : sweep.finetune.batch;
}

/**
 * The longest example each exact-match task can generate on any seed, built by its own example function: the
 * longest prompt (ADD-R 999+999, KV's fixed 8-pair layout, PIGLATIN's 3 words of 12 letters, makeTask's window)
 * and the longest answer, which is the task's maxAnswerLength (the greedy generation budget). A test checks
 * them against generated tasks.
 */
export const LONGEST_EXAMPLES: Record<'ADD-R' | 'KV' | 'PIGLATIN', TaskExample> = {
  'ADD-R': addrExample(999, 999),
  KV: kvExample(Array.from({ length: KV_PAIRS }, () => ['aaa', '00'] as const), 0),
  PIGLATIN: pigLatinExample(Array.from({ length: 3 }, () => 'a'.repeat(MAX_WORD_LETTERS))),
};

/**
 * The prompt and answer characters a task's longest row must hold whole, or undefined where rows of any T work
 * (DOMAIN: windows of T). Exact-match prompts must fit whole (cut, a KV prompt loses its pairs, and a scoring
 * row of the full generation budget has no room at all); SENT's prompts are review tails cut to fit by design,
 * so it needs one prompt character before its longest choice.
 */
export function longestTaskRow(name: TaskName): { prompt: number; answer: number } | undefined {
  if (name === 'DOMAIN') return undefined;
  if (name === 'SENT') return { prompt: 1, answer: Math.max(...SENT_CHOICES.map((c) => c.length)) };
  const { prompt, answer } = LONGEST_EXAMPLES[name];
  return { prompt: prompt.length, answer: answer.length };
}

/**
 * Fails early, naming the field, when a sweep cannot run on a corpus: a batch larger than the data that fills
 * it, or a task whose longest row (longestTaskRow) does not fit the preset's context.
 */
export function checkSweepRunnable(sweep: SweepDefinition, corpus: Corpus, where = `sweep "${sweep.name}"`): void {
  const { T } = runModel(sweep);
  const windowsIn = (file: 'train' | 'validation') => Math.floor(((corpus.files[file]?.length ?? 0) - 1) / T);
  const missing = requiredDataFiles(sweep).filter((f) => !corpus.files[f]);
  if (missing.length) throw new SweepError(`${where} needs the corpus files ${missing.join(', ')}, which were not loaded (load requiredDataFiles(sweep))`);
  const problems: string[] = [];
  if (windowsIn('train') < sweep.pretrain.batch) problems.push(`pretrain.batch: ${sweep.pretrain.batch} windows do not fit the training text`);
  const valNeeded = Math.max(sweep.pretrain.batch, MEASURE_SIZES[sweep.preset].rows);
  if (windowsIn('validation') < valNeeded) problems.push(`pretrain.batch: the validation text holds fewer than ${valNeeded} windows`);
  sweep.tasks.forEach((t, i) => {
    if (t.trainSize < minTrainSize(sweep, t.name)) {
      const examples = t.name === 'DOMAIN' ? Math.floor((t.trainSize - 1) / T) : t.trainSize;
      const unit = t.name === 'DOMAIN' ? `characters (${examples} windows of ${T + 1})` : 'examples';
      problems.push(`tasks.${i}.trainSize: ${t.name} has ${t.trainSize} ${unit}, fewer than one fine-tuning batch (finetune.batch ${sweep.finetune.batch})`);
    }
    const longest = longestTaskRow(t.name);
    if (longest && rowTokens(longest.prompt, longest.answer) > T) {
      problems.push(
        `tasks.${i}.name: ${t.name} needs rows of ${rowTokens(longest.prompt, longest.answer)} tokens (a ${longest.prompt}-character prompt ` +
          `and a ${longest.answer}-character answer), more than the ${sweep.preset} preset's context T=${T}`,
      );
    }
  });
  if (problems.length) throw new SweepError(`${where} cannot run:\n  ${problems.join('\n  ')}`);
}

/** A run that has not started: what the runs table shows as queued. */
export function pendingRun(sweep: SweepDefinition, key: RunKey, device: string): RunResult {
  return {
    id: runId(key), lambda: key.lambda, seed: key.seed, status: 'pending', timescale: runTimescale(sweep, key.lambda),
    pretrain: null, base: null, finetunes: [], events: [], device,
  };
}

/** A number the schema's nullable fields accept: NaN and +-Infinity become null. */
export const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
