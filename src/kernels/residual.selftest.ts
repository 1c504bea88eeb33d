// Self-test for residual_forward at an odd size (not a multiple of the workgroup), used by the page and tests.
import type { Gpu } from '../gpu/adapter';
import { poisonBuffer, createBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison } from './check';
import { residualForward, residualForwardKernel } from './residual';
import { residualForward as residualForwardRef } from './residual.ref';

/** Exact: one f32 add of f32 inputs rounds the same on every IEEE device. */
export const RESIDUAL_TOLERANCE = { atol: 0, rtol: 1e-7 };

export async function checkResidualForward(gpu: Gpu, N: number, seed: number): Promise<Comparison> {
  await gpu.pipelines.prepare(residualForwardKernel);
  const rng = new Rng(seed);
  const a = randomArray(rng, N, 4);
  const b = randomArray(rng, N, 4);
  const bufA = uploadBuffer(gpu, 'test:a', a);
  const bufB = uploadBuffer(gpu, 'test:b', b);
  const bufY = createBuffer(gpu, 'test:y', N * 4);
  poisonBuffer(gpu, bufY);
  await runOnce(gpu, [residualForward(gpu, bufY, bufA, bufB, N)]);
  const got = await readF32(gpu, bufY, N);
  const want = new Float64Array(N);
  residualForwardRef(want, a, b, N);
  for (const buf of [bufA, bufB, bufY]) buf.destroy();
  return compareArrays(`residual_forward N=${N} seed=${seed}`, got, want, RESIDUAL_TOLERANCE);
}
