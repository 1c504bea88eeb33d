// Self-test for swiglu_forward + swiglu_backward against swiglu.ref.ts, used by the page and the tests.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { combineComparisons, prepareKernels } from './harness';
import { swigluBackward, swigluForward, swigluKernels } from './swiglu';
import * as ref from './swiglu.ref';

/**
 * A handful of f32 operations on inputs of order 1 (gates up to 6): WGSL's exp is accurate to 3 + 2|x| ulp,
 * division to 2.5 ulp, so ~1e-6 relative at worst (observed max |diff| ~1e-6 on outputs up to ~6).
 * rtol 1e-5 with atol 1e-6 for values near 0 (h and dgate cross 0 where a or up does).
 */
export const SWIGLU_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

export interface SwigluInputs {
  gu: Float32Array;
  dh: Float32Array;
}

export interface SwigluOutputs<A> {
  h: A;
  dgu: A;
}

/** Gates uniform in [-6, 6) (both tails of the sigmoid), up and dh in [-1, 1). */
export function swigluInputs(seed: number, BT: number, F: number): SwigluInputs {
  const rng = new Rng(seed);
  const gu = new Float32Array(BT * 2 * F);
  for (let i = 0; i < BT; i++) {
    gu.set(randomArray(rng, F, 6), i * 2 * F);
    gu.set(randomArray(rng, F), i * 2 * F + F);
  }
  return { gu, dh: randomArray(rng, BT * F) };
}

/** Forward and backward on the GPU, outputs poisoned with NaN first. */
export async function runSwigluGpu(gpu: Gpu, BT: number, F: number, inp: SwigluInputs): Promise<SwigluOutputs<Float32Array>> {
  await prepareKernels(gpu, swigluKernels);
  const gu = uploadBuffer(gpu, 'test:swiglu:gu', inp.gu);
  const dh = uploadBuffer(gpu, 'test:swiglu:dh', inp.dh);
  const h = createBuffer(gpu, 'test:swiglu:h', BT * F * 4);
  const dgu = createBuffer(gpu, 'test:swiglu:dgu', BT * 2 * F * 4);
  poisonBuffer(gpu, h);
  poisonBuffer(gpu, dgu);
  await runOnce(gpu, [swigluForward(gpu, h, gu, BT, F), swigluBackward(gpu, dgu, dh, gu, BT, F)]);
  const out = { h: await readF32(gpu, h, BT * F), dgu: await readF32(gpu, dgu, BT * 2 * F) };
  for (const b of [gu, dh, h, dgu]) b.destroy();
  return out;
}

export function runSwigluRef(BT: number, F: number, inp: SwigluInputs): SwigluOutputs<Float64Array> {
  const out = { h: new Float64Array(BT * F), dgu: new Float64Array(BT * 2 * F) };
  ref.swigluForward(out.h, inp.gu, BT, F);
  ref.swigluBackward(out.dgu, inp.dh, inp.gu, BT, F);
  return out;
}

export async function checkSwiglu(gpu: Gpu, BT: number, F: number, seed: number, inputs?: SwigluInputs): Promise<Comparison> {
  const inp = inputs ?? swigluInputs(seed, BT, F);
  const got = await runSwigluGpu(gpu, BT, F, inp);
  const want = runSwigluRef(BT, F, inp);
  const name = `swiglu BT=${BT} F=${F} seed=${seed}`;
  return combineComparisons([
    compareArrays(`${name} forward h`, got.h, want.h, SWIGLU_TOLERANCE),
    compareArrays(`${name} backward dgu`, got.dgu, want.dgu, SWIGLU_TOLERANCE),
  ]);
}
