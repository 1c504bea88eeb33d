// Small helpers shared by the norm / rope / swiglu / embedding self-tests and tests: preparing a family's
// pipelines, folding several output comparisons into one, bitwise equality, and a float64 finite-difference
// check of a backward reference.
import type { Gpu } from '../gpu/adapter';
import type { KernelSource } from '../gpu/pipelines';
import type { Comparison } from './check';

export async function prepareKernels(gpu: Gpu, kernels: readonly KernelSource[]): Promise<void> {
  for (const kernel of kernels) await gpu.pipelines.prepare(kernel);
}

/** One Comparison for several outputs: ok when all are, reports concatenated. */
export function combineComparisons(parts: Comparison[]): Comparison {
  return {
    ok: parts.every((p) => p.ok),
    maxAbsError: Math.max(0, ...parts.map((p) => p.maxAbsError)),
    bad: parts.reduce((n, p) => n + p.bad, 0),
    report: parts.map((p) => p.report).join('\n'),
  };
}

/** Same bits everywhere (NaN payloads and signed zeros included). */
export function bitIdentical(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

/**
 * Central differences of `loss` with respect to `param[i]` (step h, float64) for every i in `indices`,
 * compared with the analytic `grad[i]`: the largest |numeric - analytic| and that over (1e-6 + |analytic|).
 */
export function finiteDifferenceError(
  loss: () => number, param: Float64Array, grad: ArrayLike<number>, indices: Iterable<number>, h = 1e-5,
): { maxAbs: number; maxRel: number } {
  let maxAbs = 0;
  let maxRel = 0;
  for (const i of indices) {
    const saved = param[i];
    param[i] = saved + h;
    const up = loss();
    param[i] = saved - h;
    const down = loss();
    param[i] = saved;
    const numeric = (up - down) / (2 * h);
    const abs = Math.abs(numeric - grad[i]);
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, abs / (1e-6 + Math.abs(grad[i])));
  }
  return { maxAbs, maxRel };
}

/** sum(y * r): the scalar whose gradient with respect to y is r. */
export function dot(y: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
}

export function toF64(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a);
}
