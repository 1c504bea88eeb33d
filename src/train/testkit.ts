// Shared by src/train's tests: the tiny preset, synthetic text, engines initialised from a seed, and hooks
// that record every number a phase reports.
import { encode } from '../data/tokenizer';
import { WindowSampler } from '../data/sampler';
import { createCpuEngine, type CpuEngine } from '../engine/cpu';
import { WebGpuEngine } from '../engine/webgpu';
import { PRESETS, type ModelConfig } from '../model/config';
import { initParams } from '../model/init';
import { paramTable } from '../model/params';
import { testGpu } from '../test/gpu';
import { pretrainPhase, type PhaseConfig } from './phase';
import type { EvalMetrics, PhaseHooks, StepMetrics } from './runPhase';

export const TINY = PRESETS.tiny;

/** Deterministic text with some structure (a repeated sentence with a counter), `n` tokens. */
export function syntheticText(n: number): Uint8Array {
  let text = '';
  for (let i = 0; text.length < n; i++) text += `the cat sat on mat ${i % 17}. `;
  return encode(text.slice(0, n));
}

export function tinySampler(tokens: Uint8Array, seed = 1): WindowSampler {
  return new WindowSampler(tokens, { seed, batchSize: TINY.train.B, seqLen: TINY.model.T });
}

/** The tiny preset's pretraining phase, shortened. */
export function tinyPhase(steps: number, overrides: Partial<PhaseConfig> = {}): PhaseConfig {
  return pretrainPhase(TINY.train, 0.1, { steps, ...overrides });
}

export async function cpuEngine(seed = 1, cfg: ModelConfig = TINY.model): Promise<CpuEngine> {
  const engine = createCpuEngine(cfg);
  await engine.writeParams(initParams(paramTable(cfg), cfg, seed));
  return engine;
}

export async function gpuEngine(seed = 1, cfg: ModelConfig = TINY.model): Promise<WebGpuEngine> {
  const engine = await WebGpuEngine.create(await testGpu(), cfg, { maxTokens: 128 * cfg.T }); // the memory test uses B=128
  await engine.writeParams(initParams(engine.table, cfg, seed));
  return engine;
}

export interface Recorded {
  losses: number[];
  gradNorms: number[];
  lrs: number[];
  evals: EvalMetrics[];
  batches: StepMetrics[];
}

/** Hooks that record every metric batch and evaluation (plus whatever `extra` adds). */
export function recorder(extra: PhaseHooks = {}): { hooks: PhaseHooks; rec: Recorded } {
  const rec: Recorded = { losses: [], gradNorms: [], lrs: [], evals: [], batches: [] };
  const hooks: PhaseHooks = {
    ...extra,
    onMetrics: (m) => {
      rec.batches.push(m);
      rec.losses.push(...m.losses);
      rec.gradNorms.push(...m.gradNorms);
      rec.lrs.push(...m.lrs);
      extra.onMetrics?.(m);
    },
    onEval: (e) => {
      rec.evals.push(e);
      extra.onEval?.(e);
    },
  };
  return { hooks, rec };
}

/** Bit-level equality of two float arrays (Float64 views: NaN payloads and -0 count). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const [x, y] = [Float64Array.from(a), Float64Array.from(b)];
  return x.length === y.length && Buffer.from(x.buffer).equals(Buffer.from(y.buffer));
}


/** A short periodic text (period 27) that a tiny model can memorise: any 8 characters fix what follows. */
export const PERIODIC = 'the quick brown fox jumps. ';

/** The tiny model (CPU engine) trained to reproduce PERIODIC: 300 steps at lr 1e-2, no decay. */
export async function overfitPeriodic(): Promise<Awaited<ReturnType<typeof cpuEngine>>> {
  const engine = await cpuEngine(3);
  const tokens = encode(PERIODIC.repeat(200));
  const phase = pretrainPhase(TINY.train, 0, { steps: 300, schedule: { peakLr: 1e-2, warmupFrac: 0.1, minLrFrac: 0.1 } });
  const { runPhase } = await import('./runPhase');
  const result = await runPhase(engine, phase, tinySampler(tokens));
  if (result.status !== 'completed' || !(result.recentLoss! < 0.05)) throw new Error(`overfitPeriodic: ${result.status}, loss ${result.recentLoss}`);
  return engine;
}
