// Pretraining one run (science.md): the preset's model from the seed's init, the seed's data order (never
// lambda's), the sweep's budget and schedule, AdamW decay lambda on the decay group, validation bits/char
// over training and per-layer weight norms at each checkpoint. Ends in the 'base' checkpoint, which carries
// the pretraining record so measuring and fine-tuning can resume without redoing it.
import { WindowSampler, type WindowSamplerState } from '../data/sampler';
import { initParams } from '../model/init';
import type { ParamTable } from '../model/params';
import { LIVE_SERIES } from '../state/labModel';
import { fixedWindowBatches } from '../train/batches';
import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint';
import { layerNorms } from './measure/weights';
import { downsample, type RunResult, type Series } from './results';
import type { RunContext } from './runnerContext';
import { CURVE_POINTS, finiteOrNull, pretrainConfig, runSeeds } from './runnerPlan';
import { runSegmented, sameData } from './segments';
import { runId, type RunKey } from './sweep';

export type PretrainRecord = NonNullable<RunResult['pretrain']>;

interface PretrainHistory {
  loss: { x: number[]; y: number[] };
  val: { x: number[]; y: number[] };
  norms: PretrainRecord['weightNorms'];
}

export interface Pretrained {
  status: 'completed' | 'diverged';
  reason?: string;
  pretrain: PretrainRecord;
  /** The base model (completed runs). */
  params?: Float32Array;
}

/** Norm rows: [0] the embeddings (wte), [1..L] each layer's tensors together, [L+1] the head (normf, wlm). */
export function weightNormRows(table: ParamTable, params: Float32Array): number[] {
  const groups = layerNorms(table, params);
  const norm = (names: string[]) => Math.sqrt(groups.filter((g) => names.includes(g.group)).reduce((acc, g) => acc + g.frobenius ** 2, 0));
  const layers = groups.filter((g) => g.group.startsWith('layers.')).map((g) => g.frobenius);
  return [norm(['wte']), ...layers, norm(['normf', 'wlm'])];
}

const clean = (s: { x: number[]; y: number[] }): Series => downsample({ x: s.x, y: s.y.map(finiteOrNull) }, CURVE_POINTS);

function record(history: PretrainHistory, stepsDone: number, tokensPerStep: number, seconds: number): PretrainRecord {
  const tokens = stepsDone * tokensPerStep;
  return {
    steps: stepsDone, tokens, seconds, tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
    loss: clean(history.loss), valBitsPerChar: clean(history.val), weightNorms: history.norms,
  };
}

const identity = (key: RunKey) => ({ lambda: key.lambda, seed: key.seed });

/** The stored base model of a run and its pretraining record, if the store holds one for this plan. */
export async function loadBase(ctx: RunContext, key: RunKey): Promise<Pretrained | null> {
  const id = runId(key);
  try {
    const stored = await ctx.host.store.loadCheckpoint(ctx.sweepId, id, 'base');
    if (!stored) return null;
    const ckpt = decodeCheckpoint(new Uint8Array(stored.bytes));
    const same = sameData(ckpt.phase, pretrainConfig(ctx.sweep, key.lambda)) && sameData(ckpt.model, ctx.model);
    if (!same || ckpt.meta.lambda !== key.lambda || ckpt.meta.seed !== key.seed) return null;
    return { status: 'completed', pretrain: JSON.parse(String(ckpt.meta.pretrain)) as PretrainRecord, params: ckpt.params };
  } catch (error) {
    ctx.log(`${id}: the stored base model cannot be read (${(error as Error).message}); pretraining again`);
    return null;
  }
}

/** Pretrains a run (from its last checkpoint if there is one) and saves the base model. */
export async function pretrainRun(ctx: RunContext, key: RunKey): Promise<Pretrained> {
  const { engine, model, sweep, live } = ctx;
  const id = runId(key);
  const config = pretrainConfig(sweep, key.lambda);
  const B = sweep.pretrain.batch;
  const validation = fixedWindowBatches(ctx.text.validation, B, model.T, ctx.sizes.valBatches);
  const seeds = runSeeds(key.seed);
  const out = await runSegmented<PretrainHistory>(ctx, {
    runId: id, phase: 'pretrain', config, identity: identity(key),
    initialParams: () => initParams(engine.table, model, seeds.init),
    sampler: (state) => (state ? WindowSampler.fromState(ctx.text.train, state as WindowSamplerState) : new WindowSampler(ctx.text.train, { seed: seeds.data, batchSize: B, seqLen: model.T })),
    history: () => ({ loss: { x: [], y: [] }, val: { x: [], y: [] }, norms: { step: [], layers: [] } }),
    hooks: (h) => ({
      validation,
      onMetrics: (m) => {
        const steps = m.losses.map((_, i) => m.firstStep + i);
        h.loss.x.push(...steps);
        h.loss.y.push(...m.losses);
        const progress = { phase: 'pretrain', step: steps.at(-1)!, steps: config.steps, tokensPerSecond: m.tokensPerSecond };
        live.add(id, LIVE_SERIES.pretrainLoss, steps, m.losses, progress);
      },
      onEval: (e) => {
        h.val.x.push(e.step);
        h.val.y.push(e.valBitsPerChar);
        live.add(id, LIVE_SERIES.pretrainValBitsPerChar, [e.step], [e.valBitsPerChar]);
      },
    }),
    atPoint: async (step, params, h) => {
      h.norms.step.push(step);
      weightNormRows(engine.table, params).forEach((norm, row) => (h.norms.layers[row] ??= []).push(norm));
    },
  });
  live.flush();
  const pretrain = record(out.history, out.stepsDone, B * model.T, out.seconds);
  if (out.status === 'diverged') return { status: 'diverged', reason: out.reason, pretrain };
  const base = out.last!;
  base.meta = { ...identity(key), pretrain: JSON.stringify(pretrain) };
  await ctx.host.store.saveCheckpoint(ctx.sweepId, id, 'base', encodeCheckpoint(base).buffer as ArrayBuffer, out.stepsDone);
  await ctx.host.store.deleteCheckpoints(ctx.sweepId, id, 'pretrain');
  return { status: 'completed', pretrain, params: base.params };
}
