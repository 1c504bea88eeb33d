// Weight-space measurements (science.md, measurement 6): Frobenius norms per tensor and per layer, and a
// seeded Gaussian perturbation of the parameters; the runner evaluates the loss of the perturbed model with
// the engine (sensitivity, cf. "Overtrained Language Models Are Harder to Fine-Tune").
import type { ParamSpec, ParamTable } from '../../model/params';
import type { Rng } from '../../util/rng';

type Params = Float32Array | Float64Array;

/** Sum of squares of one tensor (float64 accumulation). */
function sumOfSquares(params: Params, s: ParamSpec): number {
  let acc = 0;
  for (let i = s.offset; i < s.offset + s.size; i++) acc += params[i] * params[i];
  return acc;
}

function checkLength(table: ParamTable, params: Params, who: string): void {
  if (params.length !== table.total) throw new Error(`${who}: params has ${params.length} floats, the table ${table.total}`);
}

export interface TensorNorm {
  name: string;
  size: number;
  frobenius: number; // sqrt(sum of squares)
  rms: number; // frobenius / sqrt(size)
}

/** Frobenius norm and RMS of every tensor, in table order. */
export function tensorNorms(table: ParamTable, params: Params): TensorNorm[] {
  checkLength(table, params, 'tensorNorms');
  return table.specs.map((s) => {
    const sq = sumOfSquares(params, s);
    return { name: s.name, size: s.size, frobenius: Math.sqrt(sq), rms: s.size > 0 ? Math.sqrt(sq / s.size) : 0 };
  });
}

/** The group a tensor's norm is pooled into: `layers.3.wo` -> `layers.3`; wte, normf, wlm stand alone. */
export function normGroup(name: string): string {
  const m = /^layers\.(\d+)\./.exec(name);
  return m ? `layers.${m[1]}` : name;
}

export interface GroupNorm {
  group: string; // 'wte', 'layers.0', ..., 'normf', 'wlm'
  tensors: number;
  size: number;
  frobenius: number; // sqrt of the summed squares of all the group's tensors
}

/** Frobenius norm per layer (all of the layer's tensors together), with wte, normf and wlm as their own rows. */
export function layerNorms(table: ParamTable, params: Params): GroupNorm[] {
  checkLength(table, params, 'layerNorms');
  const groups = new Map<string, { tensors: number; size: number; squares: number }>();
  for (const s of table.specs) {
    const key = normGroup(s.name);
    const g = groups.get(key) ?? { tensors: 0, size: 0, squares: 0 };
    groups.set(key, { tensors: g.tensors + 1, size: g.size + s.size, squares: g.squares + sumOfSquares(params, s) });
  }
  return [...groups].map(([group, g]) => ({ group, tensors: g.tensors, size: g.size, frobenius: Math.sqrt(g.squares) }));
}

/** Frobenius norm of all parameters together (padding is zero and adds nothing). */
export function totalNorm(table: ParamTable, params: Params): number {
  checkLength(table, params, 'totalNorm');
  return Math.sqrt(table.specs.reduce((acc, s) => acc + sumOfSquares(params, s), 0));
}

export interface PerturbOptions {
  /** Relative noise scale: each element gets sigma * rms(its tensor) * N(0, 1). */
  sigma: number;
  /** Which tensors to perturb (default: all, norm gains and embeddings included, as decay is in the paper). */
  include?: (s: ParamSpec) => boolean;
}

/**
 * A perturbed copy of `params` (the input is not modified): every element of tensor t gets
 * sigma * rms(t) * z with z ~ N(0, 1) drawn from `rng`. The noise is relative to each tensor's own scale, so
 * a tensor shrunk by weight decay gets proportionally smaller noise and sigma means "this fraction of the
 * tensor's typical magnitude" for every tensor and every lambda; the perturbed tensor's RMS is about
 * rms(t) * sqrt(1 + sigma^2). An all-zero tensor stays zero; padding stays zero. Draws go tensor by tensor
 * in table order, element by element, one rng.normal() each, so a seed fixes the result.
 */
export function perturbParams<A extends Params>(table: ParamTable, params: A, rng: Rng, options: PerturbOptions): A {
  checkLength(table, params, 'perturbParams');
  const { sigma, include = () => true } = options;
  if (!(sigma >= 0)) throw new Error(`perturbParams: sigma must be >= 0, got ${sigma}`);
  const out = params.slice() as A;
  for (const s of table.specs) {
    if (!include(s) || s.size === 0) continue;
    const scale = sigma * Math.sqrt(sumOfSquares(params, s) / s.size);
    for (let i = s.offset; i < s.offset + s.size; i++) out[i] = params[i] + scale * rng.normal();
  }
  return out;
}
