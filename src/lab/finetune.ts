// Fine-tuning a copy of a model on one task (science.md): full fine-tuning from the given parameters with a
// fresh optimizer, the sweep's fixed learning rate for every lambda, its weight decay (0 by default), epochs
// and batch, cosine with warmup to 0, loss on answer characters only (DOMAIN: every character of the domain
// text). Then the task's score, its gain over the start model, the fine-tuning curve, and for DOMAIN the
// forgetting: pretraining validation bits/char after minus before.
//
// Rows: an example task trains (and is scored, taskScores.ts) on rows of its row length (data/tasks/rows.ts:
// its longest example, room to generate a full answer, rounded up to 8, at most the context), not padded to
// the model's context T: attention is causal and the loss counts answer characters only, so the padding cut
// off changed no number, and ADD-R's rows are 16 tokens instead of 128. DOMAIN's windows fill the context.
// A checkpoint's sampler state keeps the row length its phase started with (128 for phases checkpointed
// before rows had the task's length): a resumed phase continues on those rows, bit for bit as it began.
//
// Score curve and stepsTo50: at each checkpoint of the phase (runnerPlan MEASURE_SIZES.points, evenly spaced,
// plus step 0) the task is scored on a small fixed subset of its test set (the first curveExamples
// examples; DOMAIN: that many windows). stepsTo50 is the first of those steps whose exact match is >= 50%,
// so its resolution is one checkpoint interval; null if the subset never got there.
import { WindowSampler, type WindowSamplerState } from '../data/sampler';
import { ExampleSampler, taskRowLength, type AnyTask, type TaskExample } from '../data/tasks';
import type { ExampleSamplerState } from '../data/tasks/format';
import { LIVE_SERIES } from '../state/labModel';
import type { PhaseSampler, SamplerState } from '../train/batches';
import { validationBitsPerChar } from './measureBase';
import { downsample, type FinetuneResult, type Score } from './results';
import type { RunContext } from './runnerContext';
import { CURVE_POINTS, finetuneConfig, finiteOrNull, runSeeds } from './runnerPlan';
import { runSegmented } from './segments';
import type { TaskSpec } from './sweep';
import { fullTestLimit, scoreGain, scoreTask } from './taskScores';

export interface FinetuneArgs {
  /** Whose checkpoints these are: the run's id, or the control's. */
  ownerId: string;
  seed: number;
  spec: TaskSpec;
  startParams: Float32Array;
  /** The start model's score on the task (zero-shot): the gain is measured from it. */
  before: Score;
  /** The start model's validation bits/char (DOMAIN forgetting). */
  valBitsBefore: number | null;
  /** Stream live metrics under this run id (none for controls). */
  liveId?: string;
  /**
   * Stores the result (the run's record, or the control). The fine-tune's checkpoint is deleted only after it
   * resolves, so a kill before the result is stored resumes the fine-tune from its last checkpoint instead of
   * from the start; a save that throws keeps it.
   */
  save: (result: FinetuneResult) => Promise<void>;
}

interface FinetuneHistory {
  curve: { x: number[]; y: number[] };
  score: { x: number[]; y: number[] };
}

/**
 * The task's training sampler on a model of context T: examples with an answer mask in rows of the task's
 * row length, or DOMAIN's text windows of T. A saved state resumes at the row length it was saved with, which
 * must lie between the task's row length and T (every example whole, as far as the context allows); one that
 * does not is refused by name, and the phase starts over (segments.ts).
 */
export function finetuneSampler(task: AnyTask, seed: number, batchSize: number, T: number): (state?: SamplerState) => PhaseSampler {
  const seqLen = taskRowLength(task, T);
  const config = { seed, batchSize, seqLen };
  if (task.name === 'DOMAIN') return (state) => (state ? WindowSampler.fromState(task.train, state as WindowSamplerState) : new WindowSampler(task.train, config));
  const examples: readonly TaskExample[] = task.train;
  return (state) => {
    if (!state) return new ExampleSampler(examples, config);
    if (!(state.seqLen >= seqLen && state.seqLen <= T)) {
      throw new Error(`fine-tuning ${task.name}: the checkpoint's sampler has rows of ${state.seqLen} tokens; ${task.name} needs ${seqLen} to ${T} (row length to context)`);
    }
    return ExampleSampler.fromState(examples, state as ExampleSamplerState);
  };
}

/** Exact-match tasks only: the first curve step at >= 50% (null: never); absent for other metrics. */
function stepsTo50(metric: Score['metric'], score: FinetuneHistory['score']): { stepsTo50?: number | null } {
  if (metric !== 'exact') return {};
  const k = score.y.findIndex((y) => y >= 0.5);
  return { stepsTo50: k < 0 ? null : score.x[k] };
}

export async function finetuneTask(ctx: RunContext, args: FinetuneArgs): Promise<FinetuneResult> {
  const { engine, sweep, sizes, live } = ctx;
  const name = args.spec.name;
  const task = ctx.task(name, args.seed);
  const makeSampler = finetuneSampler(task, runSeeds(args.seed).finetune(name), sweep.finetune.batch, ctx.model.T);
  const config = finetuneConfig(sweep, (makeSampler() as ExampleSampler | WindowSampler).batchesPerEpoch);
  const progress = (step: number) => ({ phase: `finetune.${name}`, step, steps: config.steps });
  const out = await runSegmented<FinetuneHistory>(ctx, {
    runId: args.ownerId, phase: `finetune:${name}`, config, identity: { seed: args.seed, task: name },
    initialParams: () => args.startParams,
    sampler: makeSampler,
    history: () => ({ curve: { x: [], y: [] }, score: { x: [], y: [] } }),
    hooks: (h) => ({
      onMetrics: (m) => {
        const steps = m.losses.map((_, i) => m.firstStep + i);
        h.curve.x.push(...steps);
        h.curve.y.push(...m.losses);
        if (args.liveId) live.add(args.liveId, LIVE_SERIES.finetuneLoss(name), steps, m.losses, { ...progress(steps.at(-1)!), tokensPerSecond: m.tokensPerSecond });
      },
    }),
    atPoint: async (step, _params, h) => {
      const score = await scoreTask(engine, task, { rows: sizes.rows, limit: sizes.curveExamples });
      h.score.x.push(step);
      h.score.y.push(score.value ?? NaN);
      if (args.liveId) live.add(args.liveId, LIVE_SERIES.finetuneScore(name), [step], [score.value ?? NaN], progress(step));
    },
  });
  live.flush();
  const curve = downsample({ x: out.history.curve.x, y: out.history.curve.y.map(finiteOrNull) }, CURVE_POINTS);
  const scoreCurve = { x: out.history.score.x, y: out.history.score.y.map(finiteOrNull) };
  const metric = args.before.metric;
  const common = { task: name, curve, scoreCurve, ...stepsTo50(metric, out.history.score), seconds: out.seconds };
  if (out.status === 'diverged') {
    ctx.log(`${args.ownerId}: fine-tuning ${name} diverged: ${out.reason}`);
    const diverged: FinetuneResult = { ...common, score: { metric, value: null }, gain: null, status: 'diverged' };
    await args.save(diverged); // the outcome first, then the checkpoint goes
    await ctx.host.store.deleteCheckpoints(ctx.sweepId, args.ownerId, `finetune:${name}`);
    return diverged;
  }
  const score = await scoreTask(engine, task, { rows: sizes.rows, limit: fullTestLimit(task, args.spec.testSize, ctx.model.T), answerNll: true });
  const forgetting = name === 'DOMAIN' ? { forgetting: finiteOrNull((await validationBitsPerChar(ctx)) - (args.valBitsBefore ?? NaN)) } : {};
  const result: FinetuneResult = { ...common, score, gain: scoreGain(score, args.before), ...forgetting, status: 'done' };
  await args.save(result);
  await ctx.host.store.deleteCheckpoints(ctx.sweepId, args.ownerId, `finetune:${name}`);
  return result;
}
