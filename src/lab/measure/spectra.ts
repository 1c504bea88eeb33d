// Per-head spectra of the attention bilinear forms (science.md, measurement 4): W_QK = W_Q W_K^T and
// W_VO = W_V W_O in the paper's notation, with pseudo-rank (#singular values > eps * max, eps 1e-2 and 1e-3)
// and entropy effective rank (Roy & Vetterli 2007).
//
// In our table Linear weights are (out, in), so head h's query rows are Wq_h = wqkv[h*HS .. (h+1)*HS) (HS, C)
// and its score is x_i^T (Wq_h^T Wk_h) x_j: the paper's (C, C) W_Q W_K^T is Wq_h^T Wk_h. Head h writes
// wo[:, h*HS .. (h+1)*HS] (C, HS) applied to Wv_h x, so the paper's W_V W_O (acting on row vectors) is our
// (C, C) map Wo_h Wv_h (the transpose: same singular values). RoPE rotates q and k between the two factors
// and is left out, as in the paper.
//
// Both products have rank <= HS. We report the HS singular values of their (HS, HS) core (svd.ts
// productSingularValues): they equal the top HS singular values of the (C, C) product exactly, and the other
// C - HS are exact zeros, which count neither in the pseudo-rank nor in the entropy. So pseudo-rank is out of
// HS (full rank = HS), and the SVDs are (HS, HS) instead of (C, C).
import type { ModelConfig } from '../../model/config';
import { spec, view, type ParamTable } from '../../model/params';
import { matmul, matrix, productSingularValues, transpose, type Matrix } from './svd';

export type HeadProduct = 'qk' | 'vo';
export type HeadShape = Pick<ModelConfig, 'C' | 'L' | 'NH' | 'HS'>;
type Params = Float32Array | Float64Array;

/** Number of singular values above eps * (the largest); 0 for an all-zero spectrum. */
export function pseudoRank(singular: ArrayLike<number>, eps: number): number {
  const max = Math.max(0, ...Array.from(singular));
  if (max === 0) return 0;
  let count = 0;
  for (let i = 0; i < singular.length; i++) if (singular[i] > eps * max) count++;
  return count;
}

/**
 * Entropy effective rank: exp(-sum p_i log p_i) with p_i = s_i / sum(s) (Roy & Vetterli 2007). n for n equal
 * singular values, 1 for rank one; zeros contribute nothing. 0 for an all-zero spectrum (undefined there).
 */
export function effectiveRank(singular: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singular.length; i++) total += singular[i];
  if (total === 0) return 0;
  let entropy = 0;
  for (let i = 0; i < singular.length; i++) {
    const p = singular[i] / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

export interface SpectrumMetrics {
  maxSingular: number;
  pseudoRank1e2: number; // #s > 1e-2 * max
  pseudoRank1e3: number; // #s > 1e-3 * max
  effectiveRank: number;
}

export function spectrumMetrics(singular: ArrayLike<number>): SpectrumMetrics {
  return {
    maxSingular: Math.max(0, ...Array.from(singular)),
    pseudoRank1e2: pseudoRank(singular, 1e-2),
    pseudoRank1e3: pseudoRank(singular, 1e-3),
    effectiveRank: effectiveRank(singular),
  };
}

/** Rows [row0, row0 + count) of a (rows, cols) row-major tensor, transposed: (cols, count). */
function rowsTransposed(t: Params, cols: number, row0: number, count: number): Matrix {
  const out = matrix(cols, count);
  for (let r = 0; r < count; r++) for (let c = 0; c < cols; c++) out.data[c * count + r] = t[(row0 + r) * cols + c];
  return out;
}

/** Columns [col0, col0 + count) of a (rows, cols) row-major tensor: (rows, count). */
function columns(t: Params, rows: number, cols: number, col0: number, count: number): Matrix {
  const out = matrix(rows, count);
  for (let r = 0; r < rows; r++) for (let c = 0; c < count; c++) out.data[r * count + c] = t[r * cols + col0 + c];
  return out;
}

function checkShape(table: ParamTable, name: string, shape: number[]): void {
  const actual = spec(table, name).shape;
  if (actual.join(',') !== shape.join(',')) throw new Error(`${name}: shape (${actual}) in the table, expected (${shape})`);
}

/**
 * The two (C, HS) factors of head h's product, left * right^T:
 *   qk: left = Wq_h^T, right = Wk_h^T  (left right^T = Wq_h^T Wk_h, the score's bilinear form)
 *   vo: left = Wo_h,   right = Wv_h^T  (left right^T = Wo_h Wv_h, what the head adds to the residual)
 */
export function headFactors(table: ParamTable, cfg: HeadShape, params: Params, layer: number, head: number, kind: HeadProduct): { left: Matrix; right: Matrix } {
  const { C, L, NH, HS } = cfg;
  if (!(layer >= 0 && layer < L && head >= 0 && head < NH)) throw new Error(`headFactors: no layer ${layer} head ${head} (L ${L}, NH ${NH})`);
  const pre = `layers.${layer}.`;
  checkShape(table, `${pre}wqkv`, [3 * C, C]);
  checkShape(table, `${pre}wo`, [C, C]);
  const wqkv = view(table, params, `${pre}wqkv`); // (3C, C): rows [q | k | v], each (NH, HS)
  const row = (part: number) => part * C + head * HS;
  if (kind === 'qk') return { left: rowsTransposed(wqkv, C, row(0), HS), right: rowsTransposed(wqkv, C, row(1), HS) };
  const wo = view(table, params, `${pre}wo`); // (C, C): input columns (NH, HS)
  return { left: columns(wo, C, C, head * HS, HS), right: rowsTransposed(wqkv, C, row(2), HS) };
}

/** Head h's full (C, C) product (for plots and tests; the spectra use the factors). */
export function headMatrix(table: ParamTable, cfg: HeadShape, params: Params, layer: number, head: number, kind: HeadProduct): Matrix {
  const { left, right } = headFactors(table, cfg, params, layer, head, kind);
  return matmul(left, transpose(right));
}

export interface HeadSpectrum extends SpectrumMetrics {
  layer: number;
  head: number;
  kind: HeadProduct;
  /** The HS nonzero-rank singular values of the (C, C) product, descending. */
  singularValues: Float64Array;
}

/** Spectra of W_QK and W_VO for every layer and head, in order layer, head, kind ('qk' then 'vo'). */
export function headSpectra(table: ParamTable, cfg: HeadShape, params: Params): HeadSpectrum[] {
  if (params.length !== table.total) throw new Error(`headSpectra: params has ${params.length} floats, table ${table.total}`);
  const out: HeadSpectrum[] = [];
  for (let layer = 0; layer < cfg.L; layer++) {
    for (let head = 0; head < cfg.NH; head++) {
      for (const kind of ['qk', 'vo'] as const) {
        const { left, right } = headFactors(table, cfg, params, layer, head, kind);
        const singular = productSingularValues(left, right);
        out.push({ layer, head, kind, singularValues: singular, ...spectrumMetrics(singular) });
      }
    }
  }
  return out;
}

export interface LayerSpectrumMeans {
  layer: number;
  kind: HeadProduct;
  heads: number;
  pseudoRank1e2: number;
  pseudoRank1e3: number;
  effectiveRank: number;
}

/** Means over heads per (layer, kind): the numbers a per-layer rank plot draws. */
export function layerSpectrumMeans(spectra: readonly HeadSpectrum[]): LayerSpectrumMeans[] {
  const groups = new Map<string, HeadSpectrum[]>();
  for (const s of spectra) {
    const key = `${s.layer}/${s.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group) => {
    const mean = (f: (s: HeadSpectrum) => number) => group.reduce((acc, s) => acc + f(s), 0) / group.length;
    return {
      layer: group[0].layer,
      kind: group[0].kind,
      heads: group.length,
      pseudoRank1e2: mean((s) => s.pseudoRank1e2),
      pseudoRank1e3: mean((s) => s.pseudoRank1e3),
      effectiveRank: mean((s) => s.effectiveRank),
    };
  });
}
