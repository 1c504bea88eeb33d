// Self-test for crossentropy_forward / crossentropy_backward on random rows (shapes need not be multiples of
// the workgroup), used by the page and the tests. `scale` sets the logits' magnitude (1e4 checks overflow
// safety); `dominant` makes one logit per row exceed the rest by a wide margin (softmax near one-hot).
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { crossentropyBackward, crossentropyForward, crossentropyKernels } from './crossentropy';
import { crossentropyBackward as backwardRef, crossentropyForward as forwardRef } from './crossentropy.ref';

/** f32 exp/log over a row of f32 logits; the row max is subtracted exactly, so magnitude does not matter. */
export const CROSSENTROPY_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

export interface CrossentropyCase {
  BT: number;
  V: number;
  /** Logits uniform in [-scale, scale). */
  scale?: number;
  /** Add this to one random logit per row (0: none). */
  dominant?: number;
  /** Fraction of rows with weight 0 (masked out). */
  masked?: number;
}

/** Random logits, in-range targets and normalized weights (1/count on counted rows, 0 elsewhere). */
export function crossentropyInputs(rng: Rng, { BT, V, scale = 4, dominant = 0, masked = 0.25 }: CrossentropyCase) {
  const logits = randomArray(rng, BT * V, scale);
  const targets = new Uint32Array(BT);
  const counted = new Array<boolean>(BT);
  for (let i = 0; i < BT; i++) {
    targets[i] = rng.int(V);
    counted[i] = i === 0 || rng.next() >= masked;
    if (dominant) logits[i * V + (rng.next() < 0.5 ? targets[i] : rng.int(V))] += dominant;
  }
  const count = counted.filter(Boolean).length;
  const weights = Float32Array.from(counted, (c) => (c ? 1 / count : 0));
  return { logits, targets, weights };
}

/** Runs both entry points on one random case and compares each against the float64 reference. */
export async function checkCrossentropy(gpu: Gpu, c: CrossentropyCase, seed: number): Promise<{ forward: Comparison; backward: Comparison }> {
  for (const kernel of crossentropyKernels) await gpu.pipelines.prepare(kernel);
  const { BT, V } = c;
  const { logits, targets, weights } = crossentropyInputs(new Rng(seed), c);
  const bufLogits = uploadBuffer(gpu, 'test:logits', logits);
  const bufTargets = uploadBuffer(gpu, 'test:targets', targets);
  const bufWeights = uploadBuffer(gpu, 'test:weights', weights);
  const bufLosses = createBuffer(gpu, 'test:losses', BT * 4);
  const bufDlogits = createBuffer(gpu, 'test:dlogits', BT * V * 4);
  poisonBuffer(gpu, bufLosses);
  poisonBuffer(gpu, bufDlogits);
  await runOnce(gpu, [
    crossentropyForward(gpu, bufLosses, bufLogits, bufTargets, bufWeights, BT, V),
    crossentropyBackward(gpu, bufDlogits, bufLogits, bufTargets, bufWeights, BT, V),
  ]);
  const [losses, dlogits] = await Promise.all([readF32(gpu, bufLosses, BT), readF32(gpu, bufDlogits, BT * V)]);
  for (const buf of [bufLogits, bufTargets, bufWeights, bufLosses, bufDlogits]) buf.destroy();
  const wantLosses = new Float64Array(BT);
  const wantDlogits = new Float64Array(BT * V);
  forwardRef(wantLosses, logits, targets, weights, BT, V);
  backwardRef(wantDlogits, logits, targets, weights, BT, V);
  const name = `BT=${BT} V=${V} scale=${c.scale ?? 4} dominant=${c.dominant ?? 0} seed=${seed}`;
  return {
    forward: compareArrays(`crossentropy_forward ${name}`, losses, wantLosses, CROSSENTROPY_TOLERANCE),
    backward: compareArrays(`crossentropy_backward ${name}`, dlogits, wantDlogits, CROSSENTROPY_TOLERANCE),
  };
}

export async function checkCrossentropyForward(gpu: Gpu, BT: number, V: number, seed: number): Promise<Comparison> {
  return (await checkCrossentropy(gpu, { BT, V }, seed)).forward;
}

export async function checkCrossentropyBackward(gpu: Gpu, BT: number, V: number, seed: number): Promise<Comparison> {
  return (await checkCrossentropy(gpu, { BT, V }, seed)).backward;
}
