// The CPU spec engine against PyTorch (tools/golden/tiny.json, made by tools/golden/make_golden.py in float64
// from the same f32 initial parameters) and against finite differences of its own loss.
import { describe, expect, it } from 'vitest';
import { compareArrays, type Tolerance } from '../kernels/check';
import type { ModelConfig } from '../model/config';
import { paramTable } from '../model/params';
import { Rng } from '../util/rng';
import { createCpuEngine } from './cpu';
import { ADAMW_DEFAULTS, lossWeights, type Batch } from './types';
import { f32, golden, goldenBatch } from '../test/golden';

// Goldens are float64 results stored as f32 (rounding <= 6e-8 relative); the engine is float64 throughout, so
// the stored rounding is the only expected difference. Scalars are stored in full float64.
const STORED: Tolerance = { atol: 1e-12, rtol: 1e-7 };
const SCALAR = 1e-12; // relative

const batch = goldenBatch();

async function engineFor(overrides: Partial<ModelConfig> = {}) {
  const engine = createCpuEngine({ ...golden.config, ...overrides });
  await engine.writeParams(f32(golden.params));
  return engine;
}

/** Compares a flat float64 buffer with a golden one tensor by tensor; returns the largest relative error. */
function expectFlat(what: string, actual: Float64Array, expected: Float32Array, cfg: ModelConfig): number {
  let worst = 0;
  for (const s of paramTable(cfg).specs) {
    const a = actual.subarray(s.offset, s.offset + s.size);
    const e = expected.subarray(s.offset, s.offset + s.size);
    const cmp = compareArrays(`${what} ${s.name} (cpu vs torch)`, a, e, STORED);
    expect(cmp.ok, cmp.report).toBe(true);
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (Math.abs(e[i]) + 1e-30));
  }
  return worst;
}

function expectScalar(what: string, actual: number, expected: number): void {
  const err = Math.abs(actual - expected);
  expect(err <= SCALAR * Math.abs(expected), `${what}: cpu ${actual} vs torch ${expected} (|diff| ${err.toExponential(2)})`).toBe(true);
}

describe('CPU engine vs the PyTorch goldens (tiny preset)', () => {
  it('golden batch weights are the contract\'s 1/count on counted tokens', () => {
    const mask = golden.batch.weights.map((w) => (w > 0 ? 1 : 0));
    expect(Array.from(lossWeights(mask))).toEqual(golden.batch.weights);
    expect(mask.filter((m) => m === 0).length).toBe(3); // the golden masks three targets out
  });

  it('matches logits and loss', async () => {
    const engine = await engineFor();
    expectScalar('loss', await engine.forward(batch), golden.forward.loss);
    const logits = f32(golden.forward.logits);
    const cmp = compareArrays('logits (cpu vs torch)', engine.logits, logits, STORED);
    expect(cmp.ok, cmp.report).toBe(true);
  });

  it('matches every gradient tensor and the global norm', async () => {
    const engine = await engineFor();
    await engine.forward(batch);
    await engine.backward();
    const worst = expectFlat('grad', engine.grads, f32(golden.grads), golden.config);
    let sq = 0;
    for (const g of engine.grads) sq += g * g;
    expectScalar('grad norm', Math.sqrt(sq), golden.gradNorm);
    console.log(`gradients: worst relative error vs torch ${worst.toExponential(2)}`);
  });

  it('matches loss and every gradient with LayerNorm (centered) in place of RMSNorm', async () => {
    const engine = await engineFor({ norm: 'layer' });
    expectScalar('layernorm loss', await engine.forward(batch), golden.layernorm.loss);
    await engine.backward();
    expectFlat('layernorm grad', engine.grads, f32(golden.layernorm.grads), golden.config);
  });

  for (const c of golden.steps) {
    it(`matches 3 clipped AdamW steps: ${c.name} (decay ${c.decayGroup}, wd ${c.weightDecay}, lrs ${c.lrs.join(', ')}, clipped ${c.clipped.join('/')})`, async () => {
      const engine = await engineFor({ decayGroup: c.decayGroup });
      for (let t = 0; t < c.lrs.length; t++) {
        expectScalar(`step ${t + 1} loss`, await engine.forward(batch), c.losses[t]);
        await engine.backward();
        const hp = { ...ADAMW_DEFAULTS, lr: c.lrs[t], weightDecay: c.weightDecay, step: t + 1, maxNorm: c.maxNorm };
        expectScalar(`step ${t + 1} grad norm`, await engine.step(hp), c.gradNorms[t]);
      }
      const worst = expectFlat(`params after 3 steps (${c.name})`, engine.params, f32(c.params), golden.config);
      console.log(`${c.name}: params after 3 steps, worst relative error vs torch ${worst.toExponential(2)}`);
    });
  }

  it('has a clipping case that clips and plain cases that do not', () => {
    expect(golden.steps.find((c) => c.name === 'clip')!.clipped.some(Boolean)).toBe(true);
    for (const c of golden.steps.filter((s) => s.name !== 'clip')) expect(c.clipped.some(Boolean), c.name).toBe(false);
  });
});

describe('CPU engine gradients vs finite differences (float64)', () => {
  for (const norm of ['rms', 'layer'] as const) {
    it(`agree on random coordinates of every tensor (${norm} norm)`, async () => {
      const engine = await engineFor({ norm });
      await engine.forward(batch);
      await engine.backward();
      const grads = engine.grads.slice();
      const rng = new Rng(norm === 'rms' ? 11 : 12);
      const h = 1e-5;
      let worst = 0;
      for (const s of engine.table.specs) {
        for (let k = 0; k < 3; k++) {
          // wte rows of tokens absent from the batch have zero gradient: draw wte's rows from the batch's tokens.
          const row = batch.tokens[rng.int(batch.tokens.length)];
          const i = s.offset + (s.name === 'wte' ? row * golden.config.C + rng.int(golden.config.C) : rng.int(s.size));
          const old = engine.params[i];
          engine.params[i] = old + h;
          const up = await engine.evalLoss(batch);
          engine.params[i] = old - h;
          const down = await engine.evalLoss(batch);
          engine.params[i] = old;
          const fd = (up - down) / (2 * h);
          const err = Math.abs(fd - grads[i]);
          worst = Math.max(worst, err);
          expect(err <= 1e-8 + 1e-5 * Math.abs(fd), `${s.name}[${i - s.offset}]: backward ${grads[i]} vs finite difference ${fd}`).toBe(true);
        }
      }
      console.log(`finite differences (${norm}): worst |diff| ${worst.toExponential(2)}`);
    });
  }
});

describe('CPU engine boundaries', () => {
  it('is causal: a shorter batch gives the logits of the longer batch\'s prefix', async () => {
    const engine = await engineFor();
    await engine.evalLoss(batch);
    const full = engine.logits.slice();
    const T = 5;
    const rows = (a: ArrayLike<number>) => Array.from({ length: batch.B }, (_, b) => Array.from(a).slice(b * batch.T, b * batch.T + T)).flat();
    const short: Batch = { B: batch.B, T, tokens: Uint32Array.from(rows(batch.tokens)), targets: Uint32Array.from(rows(batch.targets)), weights: lossWeights(new Array(batch.B * T).fill(1)) };
    await engine.evalLoss(short);
    const V = golden.config.V;
    for (let b = 0; b < batch.B; b++) {
      const want = full.subarray(b * batch.T * V, (b * batch.T + T) * V);
      const got = engine.logits.subarray(b * T * V, (b + 1) * T * V);
      const cmp = compareArrays(`row ${b} prefix logits`, got, want, { atol: 1e-14, rtol: 1e-12 });
      expect(cmp.ok, cmp.report).toBe(true);
    }
  });

  it('hidden states are the residual stream: [0] the token embeddings, [L] what the final norm and head turn into the logits', async () => {
    const engine = await engineFor();
    await expect(engine.readHiddenStates()).rejects.toThrow(/no forward/);
    await engine.evalLoss(batch);
    const cfg = golden.config;
    const { C, L, V, eps } = cfg;
    const hidden = await engine.readHiddenStates();
    expect(hidden).toHaveLength(L + 1);
    hidden.forEach((h) => expect(h).toHaveLength(batch.B * batch.T * C));
    const table = paramTable(cfg);
    const at = (name: string) => table.byName.get(name)!.offset;
    const [wte, normf, wlm] = [at('wte'), at('normf'), at('wlm')];
    for (const pos of [0, 5, batch.B * batch.T - 1]) {
      const embedding = Array.from({ length: C }, (_, c) => engine.params[wte + batch.tokens[pos] * C + c]);
      const cmp = compareArrays(`res[0] at ${pos}`, hidden[0].subarray(pos * C, (pos + 1) * C), embedding, { atol: 1e-7, rtol: 1e-6 });
      expect(cmp.ok, cmp.report).toBe(true);
      const x = hidden[L].subarray(pos * C, (pos + 1) * C);
      const rstd = 1 / Math.sqrt(x.reduce((acc, v) => acc + v * v, 0) / C + eps);
      const logits = Array.from({ length: V }, (_, v) => x.reduce((acc, xc, c) => acc + xc * rstd * engine.params[normf + c] * engine.params[wlm + v * C + c], 0));
      const got = engine.logits.subarray(pos * V, (pos + 1) * V);
      const cmpLogits = compareArrays(`logits from res[L] at ${pos}`, got, logits, { atol: 1e-5, rtol: 1e-5 });
      expect(cmpLogits.ok, cmpLogits.report).toBe(true);
    }
  });

  it('fails loudly on bad batches and on backward without forward', async () => {
    const engine = await engineFor();
    const bad = { ...batch, tokens: batch.tokens.slice() };
    bad.tokens[3] = 128;
    await expect(engine.forward(bad)).rejects.toThrow(/token 128/);
    await expect(engine.forward({ ...batch, weights: batch.weights.subarray(1) })).rejects.toThrow(/batch.weights/);
    await expect(engine.forward({ ...batch, T: 32, B: 2 })).rejects.toThrow(/T <= 16/);
    await engine.forward(batch);
    await engine.evalLoss(batch);
    await expect(engine.backward()).rejects.toThrow(/needs forward/);
    expect(() => lossWeights([0, 0])).toThrow(/no tokens/);
  });
});
