// Self-test for rope_forward + rope_backward against rope.ref.ts, used by the page and the tests.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { combineComparisons, prepareKernels } from './harness';
import { ropeBackward, ropeForward, ropeKernels } from './rope';
import * as ref from './rope.ref';

/**
 * Each output is a*cos - b*sin of f32 inputs of order 1 with cos/sin rounded to f32 from float64: a few ulp
 * (observed max |diff| ~1e-7); v is copied exactly. atol 1e-6, rtol 1e-6.
 */
export const ROPE_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-6 };

export interface RopeCase {
  B: number;
  T: number;
  NH: number;
  HS: number;
  theta?: number;
}

export interface RopeInputs {
  qkv: Float32Array;
  dqkvr: Float32Array;
}

export interface RopeOutputs<A> {
  qkvr: A;
  dqkv: A;
}

export function ropeInputs(seed: number, k: RopeCase): RopeInputs {
  const rng = new Rng(seed);
  const N = k.B * k.T * 3 * k.NH * k.HS;
  return { qkv: randomArray(rng, N), dqkvr: randomArray(rng, N) };
}

/** Forward on qkv and backward on dqkvr on the GPU, outputs poisoned with NaN first. */
export async function runRopeGpu(gpu: Gpu, k: RopeCase, inp: RopeInputs): Promise<RopeOutputs<Float32Array>> {
  const { B, T, NH, HS } = k;
  const N = B * T * 3 * NH * HS;
  await prepareKernels(gpu, ropeKernels);
  const qkv = uploadBuffer(gpu, 'test:rope:qkv', inp.qkv);
  const dqkvr = uploadBuffer(gpu, 'test:rope:dqkvr', inp.dqkvr);
  const qkvr = createBuffer(gpu, 'test:rope:qkvr', N * 4);
  const dqkv = createBuffer(gpu, 'test:rope:dqkv', N * 4);
  poisonBuffer(gpu, qkvr);
  poisonBuffer(gpu, dqkv);
  await runOnce(gpu, [
    ropeForward(gpu, qkvr, qkv, B, T, NH, HS, k.theta),
    ropeBackward(gpu, dqkv, dqkvr, B, T, NH, HS, k.theta),
  ]);
  const out = { qkvr: await readF32(gpu, qkvr, N), dqkv: await readF32(gpu, dqkv, N) };
  for (const b of [qkv, dqkvr, qkvr, dqkv]) b.destroy();
  return out;
}

export function runRopeRef(k: RopeCase, inp: RopeInputs): RopeOutputs<Float64Array> {
  const { B, T, NH, HS } = k;
  const out = { qkvr: new Float64Array(inp.qkv.length), dqkv: new Float64Array(inp.qkv.length) };
  ref.ropeForward(out.qkvr, inp.qkv, B, T, NH, HS, k.theta);
  ref.ropeBackward(out.dqkv, inp.dqkvr, B, T, NH, HS, k.theta);
  return out;
}

export async function checkRope(gpu: Gpu, k: RopeCase, seed: number): Promise<Comparison> {
  const inp = ropeInputs(seed, k);
  const got = await runRopeGpu(gpu, k, inp);
  const want = runRopeRef(k, inp);
  const name = `rope B=${k.B} T=${k.T} NH=${k.NH} HS=${k.HS} theta=${k.theta ?? 10000} seed=${seed}`;
  return combineComparisons([
    compareArrays(`${name} forward qkvr`, got.qkvr, want.qkvr, ROPE_TOLERANCE),
    compareArrays(`${name} backward dqkv`, got.dqkv, want.dqkv, ROPE_TOLERANCE),
  ]);
}
