import { describe, expect, it } from 'vitest';
import { compareArrays } from '../../kernels/check';
import { modelConfig } from '../../model/config';
import { paramTable, view } from '../../model/params';
import { Rng } from '../../util/rng';
import { effectiveRank, headMatrix, headSpectra, layerSpectrumMeans, pseudoRank, spectrumMetrics } from './spectra';
import { singularValues } from './svd';

// A hand-built model: C 8, 2 layers, 2 heads of HS 4.
const cfg = modelConfig({ T: 8, C: 8, L: 2, NH: 2 });
const table = paramTable(cfg);
const { C, HS } = cfg;

function randomParams(seed: number): Float32Array {
  const rng = new Rng(seed);
  const p = new Float32Array(table.total);
  for (const s of table.specs) for (let i = s.offset; i < s.offset + s.size; i++) p[i] = rng.normal();
  return p;
}

/** y = W x for W (rows, cols) row-major. */
function matvec(w: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r] += w[r * cols + c] * x[c];
  return y;
}

const randomVector = (n: number, rng: Rng) => Float64Array.from({ length: n }, () => rng.normal());

function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  expect(actual.length, `${name}: length`).toBe(expected.length);
  const c = compareArrays(name, actual, expected, { atol, rtol });
  expect(c.ok, c.report).toBe(true);
}

describe('effectiveRank and pseudoRank', () => {
  it('effective rank of the identity is n, of rank one is 1, of zeros is 0', () => {
    expect(effectiveRank(new Array(7).fill(1))).toBeCloseTo(7, 12);
    expect(effectiveRank([5, 0, 0, 0])).toBe(1);
    expect(effectiveRank([0, 0])).toBe(0);
    // [2, 1, 1]: p = (1/2, 1/4, 1/4), H = (1/2) ln 2 + 2 (1/4) ln 4 = 1.5 ln 2, exp(H) = 2^1.5
    expect(effectiveRank([2, 1, 1])).toBeCloseTo(2 ** 1.5, 12);
  });

  it('pseudo-rank counts values strictly above eps * max', () => {
    const s = [10, 0.5, 0.2, 0.05, 0.02, 0.005];
    expect(pseudoRank(s, 1e-2)).toBe(3); // threshold 0.1: 10, 0.5, 0.2
    expect(pseudoRank(s, 1e-3)).toBe(5); // threshold 0.01: and 0.05, 0.02
    expect(pseudoRank([1, 0.5, 0.25], 0.5)).toBe(1); // exactly at the threshold (0.5) does not count
    expect(pseudoRank([0, 0], 1e-2)).toBe(0);
    expect(spectrumMetrics([4, 4, 0])).toEqual({ maxSingular: 4, pseudoRank1e2: 2, pseudoRank1e3: 2, effectiveRank: 2 });
  });
});

describe('per-head W_QK and W_VO from the flat parameters', () => {
  it('W_QK of head h is the bilinear form of its attention score: q_h(x_i) . k_h(x_j) = x_i^T W_QK x_j', () => {
    const params = randomParams(1);
    const rng = new Rng(2);
    for (let layer = 0; layer < cfg.L; layer++) {
      const wqkv = view(table, params, `layers.${layer}.wqkv`); // (3C, C)
      for (let head = 0; head < cfg.NH; head++) {
        const xi = randomVector(C, rng);
        const xj = randomVector(C, rng);
        const q = matvec(wqkv, 3 * C, C, xi); // the model's qkv row: q at 0, k at C, v at 2C; head h at h*HS
        const k = matvec(wqkv, 3 * C, C, xj);
        let score = 0;
        for (let d = 0; d < HS; d++) score += q[head * HS + d] * k[C + head * HS + d];
        const m = headMatrix(table, cfg, params, layer, head, 'qk');
        const bilinear = xi.reduce((acc, v, r) => acc + v * matvec(m.data, C, C, xj)[r], 0);
        expect(bilinear, `layer ${layer} head ${head}`).toBeCloseTo(score, 9);
      }
    }
  });

  it("W_VO of head h is what the head adds to the residual: wo (only head h's v slot) = W_VO x", () => {
    const params = randomParams(3);
    const rng = new Rng(4);
    for (let layer = 0; layer < cfg.L; layer++) {
      const wqkv = view(table, params, `layers.${layer}.wqkv`);
      const wo = view(table, params, `layers.${layer}.wo`); // (C, C), input is the (NH, HS) head outputs
      for (let head = 0; head < cfg.NH; head++) {
        const x = randomVector(C, rng);
        const v = matvec(wqkv, 3 * C, C, x);
        const y = new Float64Array(C); // attention output with all weight on one token: head h's slot = v_h
        for (let d = 0; d < HS; d++) y[head * HS + d] = v[2 * C + head * HS + d];
        const expected = matvec(wo, C, C, y);
        const m = headMatrix(table, cfg, params, layer, head, 'vo');
        expectClose(`layer ${layer} head ${head}`, matvec(m.data, C, C, x), expected, 1e-9, 1e-9);
      }
    }
  });

  it('recover hand-set spectra: W_QK = diag(3, 1, 0.02, 0), W_VO = 2 x (partial permutation)', () => {
    const params = new Float32Array(table.total);
    const wqkv = view(table, params, 'layers.1.wqkv');
    const wo = view(table, params, 'layers.1.wo');
    const head = 1;
    const a = [3, 1, 0.02, 0];
    for (let i = 0; i < HS; i++) {
      wqkv[(head * HS + i) * C + i] = a[i]; // Wq_h row i = a_i e_i
      wqkv[(C + head * HS + i) * C + i] = 1; // Wk_h row i = e_i      => Wq_h^T Wk_h = diag(a, 0, 0, 0, 0)
      wqkv[(2 * C + head * HS + i) * C + 4 + i] = 1; // Wv_h row i = e_{4+i}
      wo[i * C + head * HS + i] = 2; // wo[:, h*HS + i] = 2 e_i   => Wo_h Wv_h = 2 sum_i e_i e_{4+i}^T
    }
    const spectra = headSpectra(table, cfg, params).filter((s) => s.layer === 1 && s.head === head);
    const [qk, vo] = spectra;
    expect(qk.kind).toBe('qk');
    expectClose('qk', qk.singularValues, a, 1e-7); // float32 params: 0.02 is stored to ~1e-9
    expect([qk.pseudoRank1e2, qk.pseudoRank1e3]).toEqual([2, 3]); // thresholds 0.03 and 0.003
    // p = (3, 1, 0.02) / 4.02; effective rank = exp(-sum p ln p)
    const p = [3, 1, 0.02].map((s) => s / 4.02);
    expect(qk.effectiveRank).toBeCloseTo(Math.exp(-p.reduce((acc, x) => acc + x * Math.log(x), 0)), 6);
    expect(vo.kind).toBe('vo');
    expectClose('vo', vo.singularValues, [2, 2, 2, 2], 1e-12);
    expect([vo.pseudoRank1e2, vo.pseudoRank1e3, vo.effectiveRank]).toEqual([4, 4, 4]);
    // The other heads are all zero: ranks 0.
    const zeroHead = headSpectra(table, cfg, params).find((s) => s.layer === 0 && s.head === 0 && s.kind === 'qk')!;
    expect([zeroHead.maxSingular, zeroHead.pseudoRank1e2, zeroHead.effectiveRank]).toEqual([0, 0, 0]);
  });

  it('the HS core values equal the (C, C) product SVD, whose other C - HS values are zero', () => {
    const params = randomParams(5);
    const spectra = headSpectra(table, cfg, params);
    expect(spectra.map((s) => `${s.layer}${s.head}${s.kind}`)).toEqual(['00qk', '00vo', '01qk', '01vo', '10qk', '10vo', '11qk', '11vo']);
    for (const s of spectra) {
      const full = singularValues(headMatrix(table, cfg, params, s.layer, s.head, s.kind));
      expectClose(`${s.layer}/${s.head}/${s.kind} top`, s.singularValues, full.subarray(0, HS), 1e-11, 1e-11);
      expectClose(`${s.layer}/${s.head}/${s.kind} tail`, full.subarray(HS), new Array(C - HS).fill(0), 1e-12 * full[0]);
    }
  });

  it('layer means average over heads; bad layer, head or buffer size fail loudly', () => {
    const params = randomParams(6);
    const spectra = headSpectra(table, cfg, params);
    const means = layerSpectrumMeans(spectra);
    expect(means.map((m) => `${m.layer}${m.kind}${m.heads}`)).toEqual(['0qk2', '0vo2', '1qk2', '1vo2']);
    const l1vo = spectra.filter((s) => s.layer === 1 && s.kind === 'vo');
    expect(means[3].effectiveRank).toBeCloseTo((l1vo[0].effectiveRank + l1vo[1].effectiveRank) / 2, 12);
    expect(() => headMatrix(table, cfg, params, 2, 0, 'qk')).toThrow(/no layer 2/);
    expect(() => headMatrix(table, cfg, params, 0, 2, 'vo')).toThrow(/head 2/);
    expect(() => headSpectra(table, cfg, params.subarray(1))).toThrow(/floats/);
  });
});
