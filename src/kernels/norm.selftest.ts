// Self-test for norm_forward + norm_backward against norm.ref.ts, used by the page and the tests.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { combineComparisons, prepareKernels } from './harness';
import { normBackward, normForward, normKernels } from './norm';
import * as ref from './norm.ref';

/**
 * Inputs of order 1, rows of C <= 2051: the f32 sums (each thread's <= 9 columns in order, then blocks of
 * <= 16 partials, then <= 16 block sums) carry a relative error of a few ulp times about 40;
 * rstd (~2; 316 for a centered C = 1 row, where var = 0) and the subtractions in dx
 * (g - mean(g) - xhat * mean(g xhat)) turn that into absolute error on outputs of order 1. Observed on
 * SwiftShader: max |diff| 6e-7 (y), 3e-7 (dx), 2e-5 = 5e-8 relative (rstd = 316). atol 1e-5 and rtol 1e-4
 * leave room for adapters with looser sqrt/division (WGSL allows 2.5 ulp) while catching any wrong term.
 */
export const NORM_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** dgain sums BT <= 300 products of order 1 in a blocked order (observed max |diff| 6e-6 at BT = 300). */
export const NORM_DGAIN_TOLERANCE: Tolerance = { atol: 2e-5, rtol: 1e-4 };

export interface NormCase {
  BT: number;
  C: number;
  centered: boolean;
  eps?: number;
  rowsPerSlot?: number;
}

export interface NormInputs {
  x: Float32Array;
  gain: Float32Array;
  dy: Float32Array;
  /** dx before the backward, which accumulates into it. */
  dx0: Float32Array;
}

export interface NormOutputs<A> {
  y: A;
  mean: A;
  rstd: A;
  dx: A;
  dgain: A;
}

export function normInputs(seed: number, BT: number, C: number): NormInputs {
  const rng = new Rng(seed);
  const x = randomArray(rng, BT * C, 2).map((v) => v + 0.5); // an offset, so that centering matters
  const gain = randomArray(rng, C, 0.5).map((v) => v + 1);
  return { x, gain, dy: randomArray(rng, BT * C), dx0: randomArray(rng, BT * C) };
}

/** Forward then backward on the GPU; outputs poisoned with NaN first, dx prefilled with dx0. */
export async function runNormGpu(gpu: Gpu, k: NormCase, inp: NormInputs): Promise<NormOutputs<Float32Array>> {
  const { BT, C, centered } = k;
  await prepareKernels(gpu, normKernels);
  const x = uploadBuffer(gpu, 'test:norm:x', inp.x);
  const gain = uploadBuffer(gpu, 'test:norm:gain', inp.gain);
  const dy = uploadBuffer(gpu, 'test:norm:dy', inp.dy);
  const dx = uploadBuffer(gpu, 'test:norm:dx', inp.dx0);
  const [y, mean, rstd, dgain] = [BT * C, BT, BT, C].map((n, i) => createBuffer(gpu, `test:norm:out${i}`, n * 4));
  for (const b of [y, mean, rstd, dgain]) poisonBuffer(gpu, b);
  await runOnce(gpu, [
    normForward(gpu, y, mean, rstd, x, gain, BT, C, centered, k.eps ?? 1e-5),
    ...normBackward(gpu, dx, dgain, dy, x, gain, mean, rstd, BT, C, centered, { rowsPerSlot: k.rowsPerSlot }),
  ]);
  const out = {
    y: await readF32(gpu, y, BT * C),
    mean: await readF32(gpu, mean, BT),
    rstd: await readF32(gpu, rstd, BT),
    dx: await readF32(gpu, dx, BT * C),
    dgain: await readF32(gpu, dgain, C),
  };
  for (const b of [x, gain, dy, dx, y, mean, rstd, dgain]) b.destroy();
  return out;
}

export function runNormRef(k: NormCase, inp: NormInputs): NormOutputs<Float64Array> {
  const { BT, C, centered } = k;
  const out = {
    y: new Float64Array(BT * C),
    mean: new Float64Array(BT),
    rstd: new Float64Array(BT),
    dx: Float64Array.from(inp.dx0),
    dgain: new Float64Array(C),
  };
  ref.normForward(out.y, out.mean, out.rstd, inp.x, inp.gain, BT, C, centered, k.eps ?? 1e-5);
  ref.normBackward(out.dx, out.dgain, inp.dy, inp.x, inp.gain, out.mean, out.rstd, BT, C, centered);
  return out;
}

export async function checkNorm(gpu: Gpu, k: NormCase, seed: number): Promise<Comparison> {
  const inp = normInputs(seed, k.BT, k.C);
  const got = await runNormGpu(gpu, k, inp);
  const want = runNormRef(k, inp);
  const name = `norm ${k.centered ? 'LayerNorm' : 'RMSNorm'} BT=${k.BT} C=${k.C} seed=${seed}`;
  return combineComparisons([
    compareArrays(`${name} y`, got.y, want.y, NORM_TOLERANCE),
    compareArrays(`${name} mean`, got.mean, want.mean, NORM_TOLERANCE),
    compareArrays(`${name} rstd`, got.rstd, want.rstd, NORM_TOLERANCE),
    compareArrays(`${name} dx (accumulated)`, got.dx, want.dx, NORM_TOLERANCE),
    compareArrays(`${name} dgain`, got.dgain, want.dgain, NORM_DGAIN_TOLERANCE),
  ]);
}
