// Self-tests for shaders/attention.wgsl against the float64 reference (attention.ref.ts), used by the page and tests.
// Inputs are seeded uniform values; every output is poisoned with NaN before the kernel runs.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { bitIdentical, combineComparisons } from './harness';
import {
  attentionBackward,
  attentionBackwardKernel,
  attentionForwardFlash,
  attentionForwardKernel,
  attentionForwardPlain,
  attentionForwardPlainKernel,
  attentionTilesFor,
  ATTENTION_PLAIN_MAX_T,
  type AttentionTiles,
} from './attention';
import { attentionBackward as attentionBackwardRef, attentionForward as attentionForwardRef } from './attention.ref';

export interface AttentionShape {
  B: number;
  T: number;
  NH: number;
  HS: number;
}

/**
 * Tolerances, |gpu - ref| <= atol + rtol |ref|, scale with the tensor's largest reference value `mag` and with
 * `logit` = max(1, largest |score|): an f32 score carries an absolute error of about 1e-7 |score|, which becomes
 * a relative error of the softmax weights. Largest measured error / atol over fresh seeds, T up to 512 and
 * HS up to 128 (NVIDIA H200 and SwiftShader): out 0.01, lse 0.03, gradients 0.003 (x10, x5, x20 with these).
 */
export function attentionTolerance(tensor: 'out' | 'lse' | 'grad', mag: number, logit: number): Tolerance {
  if (tensor === 'out') return { atol: 1e-6 * logit * mag, rtol: 1e-5 };
  if (tensor === 'lse') return { atol: 2e-6 * logit, rtol: 1e-6 };
  return { atol: 5e-6 * logit * mag, rtol: 1e-5 };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** max(1, largest |q.k| / sqrt(HS)) over causal pairs. */
function maxLogit(qkvr: ArrayLike<number>, { B, T, NH, HS }: AttentionShape): number {
  const C = NH * HS;
  let m = 1;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++)
      for (let t = 0; t < T; t++)
        for (let j = 0; j <= t; j++) {
          let s = 0;
          for (let d = 0; d < HS; d++) s += qkvr[(b * T + t) * 3 * C + h * HS + d] * qkvr[(b * T + j) * 3 * C + C + h * HS + d];
          m = Math.max(m, Math.abs(s) / Math.sqrt(HS));
        }
  return m;
}

function shapeName({ B, T, NH, HS }: AttentionShape): string {
  return `B=${B} T=${T} NH=${NH} HS=${HS}`;
}

/** Random qkvr (B,T,3,NH,HS): q and k scaled by `qkScale` (sets the spread of the scores), v in [-1, 1). */
export function randomQkvr(rng: Rng, { B, T, NH, HS }: AttentionShape, qkScale = 2): Float32Array {
  const C = NH * HS;
  const x = randomArray(rng, B * T * 3 * C);
  for (let i = 0; i < x.length; i++) if (i % (3 * C) < 2 * C) x[i] = Math.fround(x[i] * qkScale);
  return x;
}

/** Reference forward in float64, outputs rounded to f32 (the inputs the GPU backward sees). */
export function referenceForward(qkvr: Float32Array, { B, T, NH, HS }: AttentionShape): { out: Float64Array; lse: Float64Array } {
  const out = new Float64Array(B * T * NH * HS);
  const lse = new Float64Array(B * NH * T);
  attentionForwardRef(out, lse, qkvr, B, T, NH, HS);
  return { out, lse };
}

export async function checkAttentionForward(
  gpu: Gpu,
  shape: AttentionShape,
  seed: number,
  variant: 'flash' | 'plain' = 'flash',
  qkScale = 2,
  tiles = attentionTilesFor(gpu, shape.T, shape.HS),
): Promise<Comparison> {
  const { B, T, NH, HS } = shape;
  if (variant === 'flash') await gpu.pipelines.prepare(attentionForwardKernel, tiles.forward);
  else await gpu.pipelines.prepare(attentionForwardPlainKernel, tiles.plain);
  const qkvr = randomQkvr(new Rng(seed), shape, qkScale);
  const bufQkvr = uploadBuffer(gpu, 'test:qkvr', qkvr);
  const bufOut = createBuffer(gpu, 'test:out', B * T * NH * HS * 4);
  const bufLse = createBuffer(gpu, 'test:lse', B * NH * T * 4);
  poisonBuffer(gpu, bufOut);
  poisonBuffer(gpu, bufLse);
  const forward = variant === 'flash' ? attentionForwardFlash : attentionForwardPlain;
  await runOnce(gpu, forward(gpu, bufOut, bufLse, bufQkvr, B, T, NH, HS, tiles));
  const out = await readF32(gpu, bufOut, B * T * NH * HS);
  const lse = await readF32(gpu, bufLse, B * NH * T);
  for (const buf of [bufQkvr, bufOut, bufLse]) buf.destroy();
  const want = referenceForward(qkvr, shape);
  const logit = maxLogit(qkvr, shape);
  const name = `attention_forward${variant === 'plain' ? '_plain' : ''} ${shapeName(shape)} seed=${seed}`;
  return combineComparisons([
    compareArrays(`${name} out`, out, want.out, attentionTolerance('out', maxAbs(want.out), logit)),
    compareArrays(`${name} lse`, lse, want.lse, attentionTolerance('lse', maxAbs(want.lse), logit)),
  ]);
}

export async function checkAttentionBackward(
  gpu: Gpu,
  shape: AttentionShape,
  seed: number,
  qkScale = 2,
  tiles: AttentionTiles = attentionTilesFor(gpu, shape.T, shape.HS),
): Promise<Comparison> {
  const { B, T, NH, HS } = shape;
  await gpu.pipelines.prepare(attentionBackwardKernel, tiles.backward);
  const rng = new Rng(seed);
  const qkvr = randomQkvr(rng, shape, qkScale);
  const dout = randomArray(rng, B * T * NH * HS);
  const fwd = referenceForward(qkvr, shape);
  const out = Float32Array.from(fwd.out);
  const lse = Float32Array.from(fwd.lse);
  const bufs = {
    qkvr: uploadBuffer(gpu, 'test:qkvr', qkvr),
    dout: uploadBuffer(gpu, 'test:dout', dout),
    out: uploadBuffer(gpu, 'test:out', out),
    lse: uploadBuffer(gpu, 'test:lse', lse),
    dqkvr: createBuffer(gpu, 'test:dqkvr', qkvr.byteLength),
  };
  poisonBuffer(gpu, bufs.dqkvr);
  await runOnce(gpu, attentionBackward(gpu, bufs.dqkvr, bufs.dout, bufs.qkvr, bufs.out, bufs.lse, B, T, NH, HS, tiles));
  const got = await readF32(gpu, bufs.dqkvr, qkvr.length);
  for (const buf of Object.values(bufs)) buf.destroy();
  const want = new Float64Array(qkvr.length);
  attentionBackwardRef(want, dout, qkvr, out, lse, B, T, NH, HS);
  const logit = maxLogit(qkvr, shape);
  // Compare dq, dk, dv separately: each has its own magnitude.
  const C = NH * HS;
  const parts = ['dq', 'dk', 'dv'].map((part, p) => {
    const pick = (x: ArrayLike<number>) => Float64Array.from({ length: B * T * C }, (_, i) => x[Math.floor(i / C) * 3 * C + p * C + (i % C)]);
    const wantPart = pick(want);
    const tol = attentionTolerance('grad', maxAbs(wantPart), logit);
    return compareArrays(`attention_backward ${shapeName(shape)} seed=${seed} ${part}`, pick(got), wantPart, tol);
  });
  return combineComparisons(parts);
}

/**
 * Flash forward then backward, and the plain forward, twice on fresh (poisoned) outputs: true when out, lse,
 * dqkvr and the plain forward's out and lse are finite (every element written) and agree bit for bit.
 */
export async function attentionRunsIdentical(gpu: Gpu, shape: AttentionShape, seed: number, tiles = attentionTilesFor(gpu, shape.T, shape.HS)): Promise<boolean> {
  const { B, T, NH, HS } = shape;
  // The plain forward holds its scores in workgroup memory: it cannot run past ATTENTION_PLAIN_MAX_T, only there is it left out.
  const withPlain = T <= ATTENTION_PLAIN_MAX_T;
  await gpu.pipelines.prepare(attentionForwardKernel, tiles.forward);
  await gpu.pipelines.prepare(attentionBackwardKernel, tiles.backward);
  if (withPlain) await gpu.pipelines.prepare(attentionForwardPlainKernel, tiles.plain);
  const rng = new Rng(seed);
  const qkvr = uploadBuffer(gpu, 'test:qkvr', randomQkvr(rng, shape));
  const dout = uploadBuffer(gpu, 'test:dout', randomArray(rng, B * T * NH * HS));
  const results: Float32Array[][] = [];
  for (let run = 0; run < 2; run++) {
    const out = createBuffer(gpu, `test:out${run}`, B * T * NH * HS * 4);
    const lse = createBuffer(gpu, `test:lse${run}`, B * NH * T * 4);
    const dqkvr = createBuffer(gpu, `test:dqkvr${run}`, B * T * 3 * NH * HS * 4);
    const plainOut = createBuffer(gpu, `test:plain_out${run}`, B * T * NH * HS * 4);
    const plainLse = createBuffer(gpu, `test:plain_lse${run}`, B * NH * T * 4);
    const outputs = withPlain ? [out, lse, dqkvr, plainOut, plainLse] : [out, lse, dqkvr];
    for (const buf of outputs) poisonBuffer(gpu, buf);
    await runOnce(gpu, [
      ...attentionForwardFlash(gpu, out, lse, qkvr, B, T, NH, HS, tiles),
      ...attentionBackward(gpu, dqkvr, dout, qkvr, out, lse, B, T, NH, HS, tiles),
      ...(withPlain ? attentionForwardPlain(gpu, plainOut, plainLse, qkvr, B, T, NH, HS, tiles) : []),
    ]);
    results.push(await Promise.all(outputs.map((buf) => readF32(gpu, buf))));
    for (const buf of [out, lse, dqkvr, plainOut, plainLse]) buf.destroy();
  }
  for (const buf of [qkvr, dout]) buf.destroy();
  return results[0].every((first, i) => first.every(Number.isFinite) && bitIdentical(first, results[1][i]));
}
