// Self-test for the three matmul layouts against the float64 reference, used by the page and tests. Inputs
// are uniform in [-1, 1); outputs are poisoned with NaN first, so an unwritten element fails.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { matmulDispatch, prepareMatmul, type MatmulMode, type MatmulPlan } from './matmul';
import * as ref from './matmul.ref';

/**
 * f32 sums of R products of values in [-1, 1): rounding grows with the reduction length R, so
 * |gpu - ref| <= 1e-5 * R + 1e-4 * |ref| (about 100x the typical error, far below a wrong term's size).
 */
export function matmulTolerance(R: number): Tolerance {
  return { atol: 1e-5 * Math.max(1, R), rtol: 1e-4 };
}

interface Layout {
  /** Element counts of out, a, b. */
  sizes: [number, number, number];
  /** The reduction length. */
  R: number;
  reference: (out: Float64Array, a: Float32Array, b: Float32Array, M: number, K: number, N: number) => void;
}

export function matmulLayout(mode: MatmulMode, M: number, K: number, N: number): Layout {
  if (mode === 'forward') return { sizes: [M * N, M * K, N * K], R: K, reference: ref.matmulForward };
  if (mode === 'backward_input') return { sizes: [M * K, M * N, N * K], R: N, reference: ref.matmulBackwardInput };
  return { sizes: [N * K, M * N, M * K], R: M, reference: ref.matmulBackwardWeight };
}

/** Runs matmul_<mode> once on fresh random inputs (with the shape's plan, or parts of one given) and compares. */
export async function checkMatmul(
  gpu: Gpu,
  mode: MatmulMode,
  M: number,
  K: number,
  N: number,
  seed: number,
  plan: Partial<MatmulPlan> = {},
): Promise<Comparison> {
  await prepareMatmul(gpu, plan.config ? [plan.config] : undefined);
  const { sizes, R, reference } = matmulLayout(mode, M, K, N);
  const rng = new Rng(seed);
  const a = randomArray(rng, sizes[1]);
  const b = randomArray(rng, sizes[2]);
  const bufA = uploadBuffer(gpu, 'test:a', a);
  const bufB = uploadBuffer(gpu, 'test:b', b);
  const bufOut = createBuffer(gpu, 'test:out', sizes[0] * 4);
  poisonBuffer(gpu, bufOut);
  await runOnce(gpu, matmulDispatch(gpu, mode, bufOut, bufA, bufB, M, K, N, plan));
  const got = await readF32(gpu, bufOut, sizes[0]);
  const want = new Float64Array(sizes[0]);
  reference(want, a, b, M, K, N);
  for (const buf of [bufA, bufB, bufOut]) buf.destroy();
  const how = [plan.config && `tile ${JSON.stringify(plan.config)}`, plan.splits && `splits ${plan.splits}`].filter(Boolean).join(' ');
  return compareArrays(`matmul_${mode} M=${M} K=${K} N=${N} ${how || 'planned'} seed=${seed}`, got, want, matmulTolerance(R));
}
