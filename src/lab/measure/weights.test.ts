import { describe, expect, it } from 'vitest';
import { modelConfig } from '../../model/config';
import { paramTable, view } from '../../model/params';
import { Rng } from '../../util/rng';
import { layerNorms, normGroup, perturbParams, tensorNorms, totalNorm } from './weights';

// C 8, 2 layers, 2 heads, V 128, F 24 (mlpHidden(8)).
const cfg = modelConfig({ T: 8, C: 8, L: 2, NH: 2 });
const table = paramTable(cfg);

/** wte = 0.5 (128 x 8 = 1024 values), layers.0.norm1 = 2 (8), layers.0.wqkv = 1 (24 x 8 = 192), the rest 0. */
function handBuilt(): Float32Array {
  const p = new Float32Array(table.total);
  view(table, p, 'wte').fill(0.5);
  view(table, p, 'layers.0.norm1').fill(2);
  view(table, p, 'layers.0.wqkv').fill(1);
  return p;
}

describe('weight norms', () => {
  it('per tensor: Frobenius and RMS by hand', () => {
    const norms = new Map(tensorNorms(table, handBuilt()).map((n) => [n.name, n]));
    expect(norms.get('wte')).toEqual({ name: 'wte', size: 1024, frobenius: 16, rms: 0.5 }); // 0.5 * sqrt(1024)
    expect(norms.get('layers.0.norm1')!.frobenius).toBeCloseTo(Math.sqrt(32), 12); // 8 * 2^2
    expect(norms.get('layers.0.wqkv')!.frobenius).toBeCloseTo(Math.sqrt(192), 12);
    expect(norms.get('layers.1.wo')).toEqual({ name: 'layers.1.wo', size: 64, frobenius: 0, rms: 0 });
  });

  it('per layer: all the layer tensors pooled; wte, normf and wlm as their own rows; total', () => {
    const p = handBuilt();
    const groups = layerNorms(table, p);
    expect(groups.map((g) => g.group)).toEqual(['wte', 'layers.0', 'layers.1', 'normf', 'wlm']);
    const layer0 = groups[1];
    expect(layer0.tensors).toBe(6); // norm1 wqkv wo norm2 wgu wdown
    expect(layer0.size).toBe(8 + 192 + 64 + 8 + 2 * 24 * 8 + 8 * 24);
    expect(layer0.frobenius).toBeCloseTo(Math.sqrt(32 + 192), 12);
    expect(groups[2].frobenius).toBe(0);
    expect(totalNorm(table, p)).toBeCloseTo(Math.sqrt(256 + 32 + 192), 12); // wte contributes 16^2
    expect(normGroup('layers.12.wgu')).toBe('layers.12');
    expect(() => tensorNorms(table, p.subarray(1))).toThrow(/floats/);
  });
});

describe('Gaussian weight perturbation', () => {
  function randomParams(seed: number, scale: number): Float32Array {
    const rng = new Rng(seed);
    const p = new Float32Array(table.total);
    for (const s of table.specs) for (let i = s.offset; i < s.offset + s.size; i++) p[i] = scale * rng.normal();
    return p;
  }

  it('adds noise of RMS sigma * rms(tensor) to each tensor (relative), leaving the input and padding alone', () => {
    const params = randomParams(1, 3);
    const before = params.slice();
    const out = perturbParams(table, params, new Rng(7), { sigma: 0.1 });
    expect(out).toBeInstanceOf(Float32Array);
    expect(params).toEqual(before);
    const noise = out.map((v, i) => v - params[i]);
    const norms = new Map(tensorNorms(table, params).map((n) => [n.name, n]));
    const noiseNorms = tensorNorms(table, noise);
    for (const n of noiseNorms.filter((n) => n.size >= 1024)) {
      // Sample RMS of m N(0, 1) draws has relative sd about 1 / sqrt(2m) (0.022 at m = 1024): allow 5 sd.
      const ratio = n.rms / (0.1 * norms.get(n.name)!.rms);
      expect(Math.abs(ratio - 1), n.name).toBeLessThan(5 / Math.sqrt(2 * n.size));
    }
    const used = new Uint8Array(table.total);
    for (const s of table.specs) used.fill(1, s.offset, s.offset + s.size);
    for (let i = 0; i < table.total; i++) if (!used[i]) expect(out[i]).toBe(0);
  });

  it('is deterministic for a seed, differs across seeds, and is the identity at sigma 0', () => {
    const params = randomParams(2, 1);
    const a = perturbParams(table, params, new Rng(5), { sigma: 0.05 });
    const b = perturbParams(table, params, new Rng(5), { sigma: 0.05 });
    const c = perturbParams(table, params, new Rng(6), { sigma: 0.05 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(perturbParams(table, params, new Rng(5), { sigma: 0 })).toEqual(params);
    expect(() => perturbParams(table, params, new Rng(5), { sigma: -1 })).toThrow(/sigma/);
  });

  it('keeps all-zero tensors at zero and perturbs only the included tensors', () => {
    const params = handBuilt(); // layer 1 is all zero
    const out = perturbParams(table, params, new Rng(3), { sigma: 0.5, include: (s) => s.kind !== 'gain' });
    expect(view(table, out, 'layers.1.wo').every((v) => v === 0)).toBe(true);
    expect(view(table, out, 'layers.0.norm1')).toEqual(view(table, params, 'layers.0.norm1')); // a gain: excluded
    expect(view(table, out, 'wte')).not.toEqual(view(table, params, 'wte'));
  });
});
