// Test fixture: a complete, realistic results document for a sweep, every field filled with plausible,
// noisy numbers at the size the runner writes (per-step loss curves, spectra with singular values, events).
// Used by the persistence, export/import and share-URL tests (share-URL size bounds are measured on it).
import { PRESETS } from '../../model/config';
import { Rng } from '../../util/rng';
import type { BaseMeasurements, ControlResult, FinetuneResult, Results, RunResult, Series } from '../results';
import { defaultSweep, runId, sweepRuns, type SweepDefinition, type TaskName } from '../sweep';

/** A decaying loss curve from `start` to `end` over `steps`, logged every `every` steps, with noise. */
export function lossCurve(rng: Rng, steps: number, every: number, start: number, end: number, noise: number): Series {
  const x: number[] = [];
  const y: number[] = [];
  for (let s = 0; s <= steps; s += every) {
    x.push(s);
    y.push(end + (start - end) * Math.exp((-5 * s) / steps) + noise * rng.normal());
  }
  return { x, y };
}

const METRIC: Record<TaskName, FinetuneResult['score']['metric']> = { 'ADD-R': 'exact', KV: 'exact', SENT: 'accuracy', DOMAIN: 'bpc', PIGLATIN: 'exact' };

function finetune(rng: Rng, sweep: SweepDefinition, task: TaskName, skill: number): FinetuneResult {
  const spec = sweep.tasks.find((t) => t.name === task)!;
  const steps = Math.ceil((sweep.finetune.epochs * spec.trainSize) / sweep.finetune.batch);
  const metric = METRIC[task];
  const value = metric === 'bpc' ? 2.4 - 0.1 * skill + 0.01 * rng.normal() : Math.min(1, Math.max(0, 0.3 + 0.3 * skill + 0.05 * rng.normal()));
  const exact = metric === 'exact';
  return {
    task,
    score: { metric, value, ...(exact ? { answerNll: 0.9 - 0.3 * skill + 0.02 * rng.normal() } : {}) },
    gain: metric === 'bpc' ? 0.35 + 0.05 * skill : value - 0.02,
    curve: lossCurve(rng, steps, 4, 3.2, 0.8 - 0.2 * skill, 0.05),
    ...(exact ? { scoreCurve: lossCurve(rng, steps, 100, 0, value, 0.01), stepsTo50: rng.next() < 0.5 ? null : Math.round(steps * 0.6) } : {}),
    ...(task === 'DOMAIN' ? { forgetting: 0.05 + 0.02 * rng.normal() } : {}),
    status: 'done',
    seconds: 40 + 10 * rng.next(),
  };
}

const ZERO_SHOT = { exact: 0, accuracy: 0.5, bpc: 3.1 };

/** The untrained-model probe baseline depends on the seed (the init), not on lambda. */
const untrainedProbe = (seed: number, layer: number): number => 0.55 + 0.01 * ((seed * 7 + layer * 3) % 5);

function base(rng: Rng, sweep: SweepDefinition, lambda: number, seed: number): BaseMeasurements {
  const { L, NH, HS } = PRESETS[sweep.preset].model;
  const rank = (full: number) => {
    const singularValues = Array.from({ length: HS }, (_, i) => Math.exp(-i / (2 + 6 / (1 + lambda))) * (1 + 0.05 * rng.normal()));
    return { pseudoRank2: Math.round(full * 0.6), pseudoRank3: Math.round(full * 0.9), effectiveRank: full * 0.7 + rng.next(), singularValues };
  };
  const val = 2.2 + 0.05 * lambda + 0.01 * rng.normal();
  return {
    valBitsPerChar: val,
    seenBitsPerChar: val - 0.04 / (1 + lambda),
    unseenBitsPerChar: val,
    trainValGap: 0.04 / (1 + lambda) + 0.002 * rng.normal(),
    perturbation: { sigma: sweep.perturbationSigma, bitsPerCharIncrease: 0.02 + 0.005 * rng.next() },
    domainBitsPerChar: 3.1 - 0.05 * lambda + 0.01 * rng.normal(),
    zeroShot: sweep.tasks.map((t) => ({ task: t.name, score: { metric: METRIC[t.name], value: ZERO_SHOT[METRIC[t.name]] + 0.01 * rng.normal() } })),
    probes: sweep.probes.flatMap((probe) =>
      Array.from({ length: L + 1 }, (_, layer) =>
        (['last', 'mean'] as const).map((pooling) => ({ probe, layer, pooling, accuracy: 0.6 + 0.05 * lambda + 0.02 * rng.normal(), untrained: untrainedProbe(seed, layer) })),
      ).flat(),
    ),
    spectra: Array.from({ length: L * NH }, (_, k) => ({ layer: Math.floor(k / NH), head: k % NH, qk: rank(HS / (1 + lambda / 2)), vo: rank(HS) })),
  };
}

function run(rng: Rng, sweep: SweepDefinition, lambda: number, seed: number): RunResult {
  const p = PRESETS[sweep.preset];
  const steps = p.train.steps;
  const skill = Math.min(1, lambda) + 0.1 * rng.normal();
  const evalSteps = lossCurve(rng, steps, sweep.pretrain.evalEvery, 0, 0, 0).x;
  const S = 0.55 * p.train.peakLr * steps;
  return {
    id: runId({ lambda, seed }),
    lambda,
    seed,
    status: 'done',
    timescale: { S, shrink: Math.exp(-lambda * S), tauOverT: lambda === 0 ? Infinity : 1 / (p.train.peakLr * lambda * steps) },
    pretrain: {
      steps,
      tokens: steps * p.train.B * p.model.T,
      seconds: 300 + 30 * rng.next(),
      tokensPerSecond: 55_000 + 2_000 * rng.normal(),
      loss: lossCurve(rng, steps, 8, 4.8, 1.55 + 0.03 * lambda, 0.04),
      valBitsPerChar: lossCurve(rng, steps, sweep.pretrain.evalEvery, 6.9, 2.2 + 0.05 * lambda, 0.01),
      weightNorms: { step: evalSteps, layers: Array.from({ length: p.model.L + 2 }, () => evalSteps.map((s) => 20 + (10 * s) / steps / (1 + lambda) + rng.normal())) },
    },
    base: base(rng, sweep, lambda, seed),
    finetunes: sweep.tasks.map((t) => finetune(rng, sweep, t.name, skill)),
    events: ['started', 'pretrained', 'measured', 'fine-tuned ADD-R', 'fine-tuned KV', 'done'].map((m, i) => ({ time: `2026-11-26T0${i}:00:00.000Z`, kind: 'phase', message: m })),
    device: 'nvidia / hopper (NVIDIA H100 80GB HBM3)',
  };
}

/** Every run of `sweep` done, with controls; deterministic in `seed`. */
export function makeResults(sweep: SweepDefinition = defaultSweep('lab'), seed = 1): Results {
  const rng = new Rng(seed);
  const controls: ControlResult[] = sweep.randomInitControl ? sweep.seeds.flatMap((s) => sweep.tasks.map((t) => ({ task: t.name, seed: s, result: finetune(rng, sweep, t.name, -1) }))) : [];
  return {
    kind: 'plasticity-lab-results',
    version: 1,
    sweep,
    createdAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T06:00:00.000Z',
    device: { adapter: 'nvidia / hopper (NVIDIA H100 80GB HBM3)', vendor: 'nvidia', architecture: 'hopper', build: '0.1.0+test' },
    runs: sweepRuns(sweep).map(({ lambda, seed: s }) => run(rng, sweep, lambda, s)),
    controls,
  };
}
