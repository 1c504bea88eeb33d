// Self-test for reduce_sum / reduce_norm against float64, used by the page and the tests. The tolerance is the
// f32 error bound of the kernel's own summation order (reduceErrorBound) times Σ|x| (Σx² for the norm).
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison } from './check';
import { reduceErrorBound, reduceKernels, reduceNorm, reducePlan, reduceSum } from './reduce';
import { reduceNorm as reduceNormRef, reduceSum as reduceSumRef } from './reduce.ref';

export interface ReduceCase {
  op: 'sum' | 'norm';
  N: number;
  /** Values uniform in [offset - scale, offset + scale). */
  scale?: number;
  offset?: number;
  /** Elements per pass-1 workgroup (default: the production plan). */
  chunk?: number;
}

export function reduceInputs(rng: Rng, { N, scale = 1, offset = 0 }: ReduceCase): Float32Array {
  const x = randomArray(rng, N, scale);
  if (offset) for (let i = 0; i < N; i++) x[i] += offset;
  return x;
}

/** Runs one reduction on random data; the result and partials are poisoned first. */
export async function checkReduce(gpu: Gpu, c: ReduceCase, seed: number): Promise<Comparison> {
  for (const kernel of reduceKernels) await gpu.pipelines.prepare(kernel);
  const { op, N } = c;
  const x = reduceInputs(new Rng(seed), c);
  const plan = reducePlan(N, c.chunk);
  const bufX = uploadBuffer(gpu, 'test:x', x);
  const bufOut = createBuffer(gpu, 'test:out', 4);
  const scratch = createBuffer(gpu, 'test:partials', 4 * plan.P);
  poisonBuffer(gpu, bufOut);
  poisonBuffer(gpu, scratch);
  const wrapper = op === 'sum' ? reduceSum : reduceNorm;
  const reduction = wrapper(gpu, bufOut, bufX, N, { scratch, chunk: c.chunk });
  await runDispatches(gpu, reduction.dispatches);
  const got = await readF32(gpu, bufOut, 1);
  reduction.release();
  for (const buf of [bufX, bufOut, scratch]) buf.destroy();
  const want = new Float64Array(1);
  (op === 'sum' ? reduceSumRef : reduceNormRef)(want, x, N);
  const bound = reduceErrorBound(plan);
  let sumAbs = 0;
  for (let i = 0; i < N; i++) sumAbs += Math.abs(x[i]);
  // Sum: |err| <= bound * Σ|x|. Norm: Σx² has relative error <= bound, its sqrt at most that.
  const tolerance = op === 'sum' ? { atol: bound * sumAbs + 1e-30, rtol: 0 } : { atol: 1e-30, rtol: bound };
  const name = `reduce_${op} N=${N} chunk=${plan.chunk} P=${plan.P} seed=${seed}`;
  return compareArrays(name, got, want, tolerance);
}

export function checkReduceSum(gpu: Gpu, N: number, seed: number): Promise<Comparison> {
  return checkReduce(gpu, { op: 'sum', N, offset: 0.25 }, seed);
}

export function checkReduceNorm(gpu: Gpu, N: number, seed: number): Promise<Comparison> {
  return checkReduce(gpu, { op: 'norm', N }, seed);
}
