// Synthetic sweep results shaped like the lab's (science.md: base loss best at small lambda, fine-tuned
// scores best at 0.1-0.3, QK rank falling with lambda): for the chart-data tests and for looking at charts.
import { RESULTS_VERSION, type FinetuneResult, type Results, type RunResult } from '../../lab/results';
import { defaultSweep, runId, type SweepDefinition, type TaskName } from '../../lab/sweep';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

const bump = (lambda: number, at: number) => Math.exp(-((Math.log10(lambda + 0.01) - Math.log10(at)) ** 2) / 0.6);

function curve(n: number, from: number, to: number, every: number, noise: () => number): { x: number[]; y: number[] } {
  const x = Array.from({ length: n }, (_, k) => k * every);
  return { x, y: x.map((_, k) => to + (from - to) * Math.exp((-6 * k) / n) + 0.02 * noise()) };
}

function finetune(task: TaskName, lambda: number, noise: () => number): FinetuneResult {
  const exact = task === 'ADD-R' || task === 'KV' || task === 'PIGLATIN';
  const value = task === 'DOMAIN' ? 2.3 - 0.12 * bump(lambda, 0.3) + 0.3 * Math.max(0, lambda - 1) + 0.01 * noise() : (exact ? 0.35 : 0.7) + 0.15 * bump(lambda, 0.3) - 0.08 * Math.max(0, lambda - 1) + 0.03 * noise();
  const base = task === 'DOMAIN' ? 2.9 - 0.1 * bump(lambda, 1) : exact ? 0.01 : 0.5;
  return {
    task,
    score: { metric: exact ? 'exact' : task === 'SENT' ? 'accuracy' : 'bpc', value, answerNll: exact ? 0.9 - 0.2 * bump(lambda, 0.3) + 0.02 * noise() : undefined },
    gain: task === 'DOMAIN' ? base - value : value - base,
    curve: curve(60, 2.5, exact ? 0.6 : 1.4, 10, noise),
    stepsTo50: null,
    forgetting: task === 'DOMAIN' ? 0.08 - 0.02 * bump(lambda, 1) : undefined,
    status: 'done',
    seconds: 30,
  };
}

export function fixtureRun(lambda: number, seed: number, sweep: SweepDefinition, opts: { finetuned?: boolean } = {}): RunResult {
  const noise = rng(seed * 1000 + Math.round(lambda * 1000));
  const baseBpc = 2.05 + 0.02 * lambda + 0.12 * lambda ** 2 + 0.01 * noise();
  const layers = 2;
  const heads = 4;
  const HS = 16;
  return {
    id: runId({ lambda, seed }),
    lambda,
    seed,
    status: opts.finetuned === false ? 'finetuning' : 'done',
    timescale: { S: 6.46, shrink: Math.exp(-6.46 * lambda), tauOverT: lambda ? 1 / (3e-3 * lambda * 3948) : null },
    pretrain: {
      steps: 3948,
      tokens: 3948 * 32 * 128,
      seconds: 600,
      tokensPerSecond: 27_000 + 1000 * noise(),
      loss: curve(200, 4.8, baseBpc * Math.LN2 + 0.05, 20, noise),
      valBitsPerChar: curve(17, 6.5, baseBpc, 250, noise),
      weightNorms: { step: Array.from({ length: 40 }, (_, k) => k * 100), layers: Array.from({ length: layers + 2 }, (_, l) => Array.from({ length: 40 }, (_, k) => (20 + 4 * l) * (1 + (0.6 * k) / 40) * Math.exp((-lambda * 6.46 * k) / 40 / 3))) },
    },
    base: {
      valBitsPerChar: baseBpc,
      seenBitsPerChar: baseBpc - 0.06 / (1 + lambda),
      unseenBitsPerChar: baseBpc,
      trainValGap: 0.06 / (1 + lambda) + 0.005 * noise(),
      perturbation: { sigma: 0.01, bitsPerCharIncrease: 0.05 / (1 + lambda) + 0.003 * noise() },
      domainBitsPerChar: 3 - 0.1 * bump(lambda, 1) + 0.01 * noise(),
      zeroShot: [
        { task: 'ADD-R', score: { metric: 'exact', value: 0, answerNll: 2.2 } },
        { task: 'KV', score: { metric: 'exact', value: 0.01, answerNll: 2.4 } },
      ],
      probes: Array.from({ length: layers + 1 }, (_, layer) => [
        { probe: 'sentiment' as const, layer, pooling: 'last' as const, accuracy: 0.56 + 0.02 * layer + 0.02 * bump(lambda, 1) + 0.01 * noise(), untrained: 0.55 + 0.005 * noise() },
        { probe: 'genre' as const, layer, pooling: 'last' as const, accuracy: 0.33 + 0.01 * layer + 0.01 * noise(), untrained: 0.32 },
      ]).flat(),
      spectra: Array.from({ length: layers * heads }, (_, k) => ({
        layer: Math.floor(k / heads),
        head: k % heads,
        qk: { pseudoRank2: HS * (0.9 - 0.4 * Math.min(1, lambda)) + noise(), pseudoRank3: HS * (0.98 - 0.3 * Math.min(1, lambda)), effectiveRank: 10 - 3 * Math.min(1, lambda), singularValues: [] },
        vo: { pseudoRank2: HS * 0.97 + 0.3 * noise(), pseudoRank3: HS, effectiveRank: 13, singularValues: [] },
      })),
    },
    finetunes: opts.finetuned === false ? [] : sweep.tasks.map((t) => finetune(t.name, lambda, noise)),
    events: [],
    device: 'NVIDIA H100 (fixture)',
  };
}

/** A finished sweep over `lambdas` x `seeds` with the default sweep's tasks. */
export function fixtureResults(lambdas = [0, 0.1, 0.3, 1, 3], seeds = [0, 1, 2]): Results {
  const sweep: SweepDefinition = { ...defaultSweep(), lambdas, seeds };
  return {
    kind: 'plasticity-lab-results',
    version: RESULTS_VERSION,
    sweep,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T01:00:00Z',
    device: { adapter: 'fixture', vendor: 'nvidia', architecture: 'hopper', build: 'test' },
    runs: seeds.flatMap((seed) => lambdas.map((lambda) => fixtureRun(lambda, seed, sweep))),
    controls: [],
  };
}
