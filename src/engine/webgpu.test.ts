// The WebGPU engine against the PyTorch goldens, against the CPU spec engine on a random odd-shaped config,
// and on the properties training relies on: it overfits a fixed batch, and the same run twice is bit-identical.
import { describe, expect, it } from 'vitest';
import { compareArrays, type Tolerance } from '../kernels/check';
import { modelConfig, type ModelConfig } from '../model/config';
import { initParams } from '../model/init';
import { paramTable } from '../model/params';
import { f32, golden, goldenBatch } from '../test/golden';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { createCpuEngine } from './cpu';
import { ADAMW_DEFAULTS, lossWeights, type Batch } from './types';
import { WebGpuEngine } from './webgpu';

// f32 on the GPU against float64 references. Logits and the loss carry a few f32 roundings per layer (1e-5
// relative is ample at this depth). Gradients: atol scales with the tensor's largest entry (entries near
// zero are differences of rounded products), rtol 1e-3. Parameters after AdamW steps: each update is
// lr·m/(sqrt(v)+eps), so where a gradient is near zero its f32 ratio is noisy; allow 2% of one step's lr.
const LOGITS: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const LOSS_RTOL = 2e-5;
const GRAD_RTOL = 1e-3;
const GRAD_ATOL_OF_MAX = 1e-4;

function expectTensors(what: string, actual: Float32Array, expected: ArrayLike<number>, cfg: ModelConfig, atolFor: (maxAbs: number) => number, rtol: number): void {
  for (const s of paramTable(cfg).specs) {
    const e = Array.from({ length: s.size }, (_, i) => expected[s.offset + i]);
    const maxAbs = e.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const cmp = compareArrays(`${what} ${s.name}`, actual.subarray(s.offset, s.offset + s.size), e, { atol: atolFor(maxAbs), rtol });
    expect(cmp.ok, cmp.report).toBe(true);
  }
}

function expectScalar(what: string, actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected) <= rtol * Math.abs(expected), `${what}: gpu ${actual} vs ref ${expected}`).toBe(true);
}

async function goldenEngine(overrides: Partial<ModelConfig> = {}): Promise<WebGpuEngine> {
  const engine = await WebGpuEngine.create(await testGpu(), { ...golden.config, ...overrides });
  await engine.writeParams(f32(golden.params));
  return engine;
}

describe('WebGPU engine vs the PyTorch goldens (tiny preset)', () => {
  const batch = goldenBatch();

  it('matches logits, loss and every gradient', async () => {
    const engine = await goldenEngine();
    expectScalar('loss', await engine.forward(batch), golden.forward.loss, LOSS_RTOL);
    const cmp = compareArrays('logits (gpu vs torch)', await engine.readLogits(), f32(golden.forward.logits), LOGITS);
    expect(cmp.ok, cmp.report).toBe(true);
    await engine.backward();
    expectTensors('grad', await engine.readGrads(), f32(golden.grads), golden.config, (m) => GRAD_ATOL_OF_MAX * m, GRAD_RTOL);
    engine.dispose();
  });

  it('matches loss and gradients with LayerNorm', async () => {
    const engine = await goldenEngine({ norm: 'layer' });
    expectScalar('loss', await engine.forward(batch), golden.layernorm.loss, LOSS_RTOL);
    await engine.backward();
    expectTensors('layernorm grad', await engine.readGrads(), f32(golden.layernorm.grads), golden.config, (m) => GRAD_ATOL_OF_MAX * m, GRAD_RTOL);
    engine.dispose();
  });

  for (const c of golden.steps) {
    it(`matches 3 AdamW steps queued in one submit: ${c.name} (decay ${c.decayGroup}, clipped ${c.clipped.join('/')})`, async () => {
      const engine = await goldenEngine({ decayGroup: c.decayGroup });
      const losses: Promise<number>[] = [];
      const norms: Promise<number>[] = [];
      for (let t = 0; t < c.lrs.length; t++) {
        losses.push(engine.forward(batch));
        await engine.backward();
        norms.push(engine.step({ ...ADAMW_DEFAULTS, lr: c.lrs[t], weightDecay: c.weightDecay, step: t + 1, maxNorm: c.maxNorm }));
      }
      const [got, gotNorms] = [await Promise.all(losses), await Promise.all(norms)];
      expect(engine.counters.submits).toBe(1);
      got.forEach((loss, t) => expectScalar(`step ${t + 1} loss`, loss, c.losses[t], 1e-4));
      gotNorms.forEach((n, t) => expectScalar(`step ${t + 1} grad norm`, n, c.gradNorms[t], 1e-4));
      const maxLr = Math.max(...c.lrs);
      expectTensors(`params after 3 steps (${c.name})`, await engine.readParams(), f32(c.params), golden.config, () => 0.02 * maxLr, 1e-4);
      engine.dispose();
    });
  }
});

/** A config with nothing a multiple of a tile: C=24 (3 heads of 8), F=64, T=41 (two 32-row attention tiles
 *  forward and backward), B=3, two layers. */
const ODD = modelConfig({ T: 41, C: 24, L: 2, NH: 3 });

/** Init parameters with wqkv scaled up: at init (std 0.02) attention is nearly uniform, so a masking, RoPE or
 *  score-scale bug moves the loss by ~1e-6 relative; peaked attention makes such bugs visible. */
function peakedParams(cfg: ModelConfig, seed: number, scale: number): Float32Array {
  const table = paramTable(cfg);
  const params = initParams(table, cfg, seed);
  for (const s of table.specs.filter((spec) => spec.name.endsWith('.wqkv'))) {
    for (let i = s.offset; i < s.offset + s.size; i++) params[i] *= scale;
  }
  return params;
}

function randomBatch(rng: Rng, cfg: ModelConfig, B: number): Batch {
  const BT = B * cfg.T;
  const tokens = Uint32Array.from({ length: BT }, () => rng.int(cfg.V));
  const targets = Uint32Array.from({ length: BT }, () => rng.int(cfg.V));
  const mask = Array.from({ length: BT }, () => (rng.next() < 0.8 ? 1 : 0));
  return { B, T: cfg.T, tokens, targets, weights: lossWeights(mask) };
}

describe('WebGPU engine vs the CPU spec engine', () => {
  it('agree on losses, gradients and parameters over 4 steps of an odd-shaped model', async () => {
    const rng = new Rng(2024);
    const params = peakedParams(ODD, 7, 12);
    const cpu = createCpuEngine(ODD);
    const gpu = await WebGpuEngine.create(await testGpu(), ODD);
    await cpu.writeParams(params);
    await gpu.writeParams(params);
    for (let t = 1; t <= 4; t++) {
      const batch = randomBatch(rng, ODD, 3);
      const hp = { ...ADAMW_DEFAULTS, lr: 5e-3, weightDecay: 0.3, step: t };
      const [lc, lg] = [await cpu.forward(batch), await gpu.forward(batch)];
      expectScalar(`step ${t} loss`, lg, lc, LOSS_RTOL);
      await cpu.backward();
      await gpu.backward();
      if (t === 1) expectTensors('grad', await gpu.readGrads(), cpu.grads, ODD, (m) => GRAD_ATOL_OF_MAX * m, GRAD_RTOL);
      expectScalar(`step ${t} grad norm`, await gpu.step(hp), await cpu.step(hp), 1e-4);
    }
    expectTensors('params after 4 steps', await gpu.readParams(), cpu.params, ODD, () => 0.02 * 5e-3, 1e-4);
    // The residual stream at every depth (linear probes read it), after an evaluation of another shape.
    const probe = randomBatch(rng, ODD, 2);
    await cpu.evalLoss(probe);
    await gpu.evalLoss(probe);
    const [hc, hg] = [await cpu.readHiddenStates(), await gpu.readHiddenStates()];
    expect(hg).toHaveLength(ODD.L + 1);
    hg.forEach((h, l) => {
      const cmp = compareArrays(`hidden state ${l} (gpu vs cpu)`, h, hc[l], { atol: 1e-5, rtol: 1e-4 });
      expect(cmp.ok, cmp.report).toBe(true);
    });
    gpu.dispose();
  });
});

describe('WebGPU engine training properties (tiny preset)', () => {
  const cfg = golden.config;

  async function train(steps: number, lr: number): Promise<{ losses: number[]; engine: WebGpuEngine }> {
    const engine = await WebGpuEngine.create(await testGpu(), cfg);
    await engine.writeParams(initParams(paramTable(cfg), cfg, 1));
    const batch = goldenBatch();
    const losses: Promise<number>[] = [];
    for (let t = 1; t <= steps; t++) {
      losses.push(engine.forward(batch));
      await engine.backward();
      void engine.step({ ...ADAMW_DEFAULTS, lr, weightDecay: 0, step: t });
    }
    return { losses: await Promise.all(losses), engine };
  }

  it('overfits a fixed batch to near-zero loss', async () => {
    const { losses, engine } = await train(120, 2e-2);
    console.log(`overfit: loss ${losses[0].toFixed(3)} -> ${losses.at(-1)!.toFixed(4)}; ${engine.counters.dispatches / 120} dispatches per step, ${engine.counters.submits} submits for 120 steps`);
    expect(losses[0]).toBeGreaterThan(4);
    expect(losses.at(-1)!).toBeLessThan(0.05);
    engine.dispose();
  });

  it('gives bit-identical loss curves for the same seed twice', async () => {
    const first = await train(12, 3e-3);
    const second = await train(12, 3e-3);
    expect(Float32Array.from(second.losses)).toEqual(Float32Array.from(first.losses));
    const [p1, p2] = [await first.engine.readParams(), await second.engine.readParams()];
    expect(Buffer.from(p1.buffer).equals(Buffer.from(p2.buffer))).toBe(true);
    first.engine.dispose();
    second.engine.dispose();
  });
});
