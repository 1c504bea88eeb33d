// Measurements of a pretrained (base) model (science.md, "What the lab measures"), in a flat list:
//   validation bits/char (evenly spaced windows of held-out pretraining text);
//   train-vs-validation gap: bits/char on a fixed sample of windows the run actually trained on (the batches
//     of evenly spaced steps of its own data order) vs as many unseen validation windows;
//   sensitivity: mean increase of those unseen bits/char under relative Gaussian weight perturbations;
//   zero-shot score on every task (DOMAIN: bits/char on the domain text, never pretrained on);
//   linear probes per depth and pooling, each beside the same probe on the untrained model of the seed;
//   per-head W_QK / W_VO spectra (pseudo-rank at eps 1e-2 and 1e-3, effective rank).
// Weight norms over training are taken during pretraining (pretrain.ts).
import { WindowSampler } from '../data/sampler';
import type { Engine } from '../engine/types';
import { initParams } from '../model/init';
import { fixedWindowBatches, toEngineBatch } from '../train/batches';
import { evaluationBitsPerChar, validationLoss } from '../train/evaluate';
import { Rng } from '../util/rng';
import { perturbParams } from './measure/weights';
import { headSpectra, type HeadSpectrum } from './measure/spectra';
import { probeScores } from './probeFeatures';
import type { BaseMeasurements, ProbeResult, Spectrum } from './results';
import type { RunContext } from './runnerContext';
import { finiteOrNull, runSeeds } from './runnerPlan';
import { runId, type RunKey } from './sweep';
import { fullTestLimit, scoreTask } from './taskScores';

const bitsPerChar = async (engine: Engine, batches: Parameters<typeof validationLoss>[1]) => (await validationLoss(engine, batches)) / Math.LN2;

/** Validation bits/char on the plan's evenly spaced windows: base value, and "after" for forgetting. */
export async function validationBitsPerChar(ctx: RunContext): Promise<number> {
  const result = await evaluationBitsPerChar(ctx.engine, ctx.text.validation, { maxWindows: ctx.sizes.valWindows, rows: ctx.sizes.rows });
  return result.bitsPerChar;
}

/** Batches of windows the run trained on: the batches of `count` evenly spaced steps of its data order. */
function seenBatches(ctx: RunContext, key: RunKey, stepsDone: number, count: number) {
  const B = ctx.sweep.pretrain.batch;
  const sampler = new WindowSampler(ctx.text.train, { seed: runSeeds(key.seed).data, batchSize: B, seqLen: ctx.model.T });
  const steps = [...new Set(Array.from({ length: count }, (_, k) => Math.floor((k * stepsDone) / count)))];
  return steps.map((s) => toEngineBatch(sampler.batchAt(s), B, ctx.model.T));
}

async function perturbationIncrease(ctx: RunContext, key: RunKey, params: Float32Array, unseen: Parameters<typeof validationLoss>[1], clean: number): Promise<number> {
  const { engine, sweep } = ctx;
  let total = 0;
  for (let draw = 0; draw < ctx.sizes.perturbDraws; draw++) {
    const rng = new Rng(runSeeds(key.seed).perturb(draw));
    await engine.writeParams(perturbParams(engine.table, params, rng, { sigma: sweep.perturbationSigma }));
    total += (await bitsPerChar(engine, unseen)) - clean;
  }
  await engine.writeParams(params);
  return total / ctx.sizes.perturbDraws;
}

/** Probe accuracies of the base model beside the untrained model's (cached per seed: lambda plays no part). */
async function probes(ctx: RunContext, key: RunKey, params: Float32Array): Promise<ProbeResult[]> {
  const { engine, sizes } = ctx;
  const out: ProbeResult[] = [];
  for (const probe of ctx.sweep.probes) {
    await ctx.proceed('probes');
    const set = ctx.probeSet(probe, key.seed);
    const cacheKey = (layer: number, pooling: string) => `${key.seed}/${probe}/${layer}/${pooling}`;
    if (!ctx.untrainedProbes.has(cacheKey(0, 'last'))) {
      await engine.writeParams(initParams(engine.table, ctx.model, runSeeds(key.seed).init));
      for (const s of await probeScores(engine, set, sizes.rows, key.seed)) ctx.untrainedProbes.set(cacheKey(s.layer, s.pooling), s.accuracy);
      await engine.writeParams(params);
    }
    for (const s of await probeScores(engine, set, sizes.rows, key.seed)) {
      out.push({ probe, layer: s.layer, pooling: s.pooling, accuracy: s.accuracy, untrained: ctx.untrainedProbes.get(cacheKey(s.layer, s.pooling))! });
    }
  }
  return out;
}

function spectra(ctx: RunContext, params: Float32Array): Spectrum[] {
  const rank = (s: HeadSpectrum) => ({ pseudoRank2: s.pseudoRank1e2, pseudoRank3: s.pseudoRank1e3, effectiveRank: s.effectiveRank, singularValues: Array.from(s.singularValues) });
  const all = headSpectra(ctx.engine.table, ctx.model, params);
  const qk = all.filter((s) => s.kind === 'qk');
  return qk.map((q) => ({ layer: q.layer, head: q.head, qk: rank(q), vo: rank(all.find((v) => v.kind === 'vo' && v.layer === q.layer && v.head === q.head)!) }));
}

/** Wall seconds per named measurement, in the order taken. */
function stopwatch() {
  const seconds: Record<string, number> = {};
  return {
    seconds,
    async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
      const started = performance.now();
      const result = await work();
      seconds[name] = (performance.now() - started) / 1000;
      return result;
    },
  };
}

/** Every base measurement of a run; the engine holds `params` again when it returns. */
export async function measureBase(ctx: RunContext, key: RunKey, params: Float32Array, stepsDone: number): Promise<BaseMeasurements> {
  const { engine, sweep, sizes, model } = ctx;
  const progress = (step: number) => ctx.live.progress(runId(key), { phase: 'measure', step, steps: 4 });
  const { seconds, time } = stopwatch();
  await engine.writeParams(params);

  progress(0);
  const unseenBatches = fixedWindowBatches(ctx.text.validation, sweep.pretrain.batch, model.T, sizes.valBatches);
  const [valBitsPerChar, unseen, seen] = await time('validation', async () => [
    await validationBitsPerChar(ctx),
    await bitsPerChar(engine, unseenBatches),
    await bitsPerChar(engine, seenBatches(ctx, key, stepsDone, unseenBatches.length)),
  ]);
  await ctx.proceed('perturbation');
  const perturbation = sweep.perturbationSigma > 0
    ? { sigma: sweep.perturbationSigma, bitsPerCharIncrease: finiteOrNull(await time('perturbation', () => perturbationIncrease(ctx, key, params, unseenBatches, unseen))) }
    : null;

  progress(1);
  const zeroShot: BaseMeasurements['zeroShot'] = [];
  for (const spec of sweep.tasks) {
    await ctx.proceed(`zero-shot ${spec.name}`);
    const task = ctx.task(spec.name, key.seed);
    const score = await time(`zero-shot ${spec.name}`, () => scoreTask(engine, task, { rows: sizes.rows, limit: fullTestLimit(task, spec.testSize, model.T), answerNll: true }));
    zeroShot.push({ task: spec.name, score });
  }
  const domain = zeroShot.find((z) => z.task === 'DOMAIN');

  progress(2);
  const probeResults = await time('probes', () => probes(ctx, key, params));
  progress(3);
  const spectrumResults = await time('spectra', () => spectra(ctx, params));
  progress(4);
  return {
    valBitsPerChar: finiteOrNull(valBitsPerChar),
    seenBitsPerChar: finiteOrNull(seen),
    unseenBitsPerChar: finiteOrNull(unseen),
    trainValGap: finiteOrNull(unseen - seen),
    perturbation,
    ...(domain ? { domainBitsPerChar: domain.score.value } : {}),
    zeroShot,
    probes: probeResults,
    spectra: spectrumResults,
    seconds,
  };
}
