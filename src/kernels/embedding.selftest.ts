// Self-test for embedding_forward + embedding_backward against embedding.ref.ts, used by the page and tests.
import type { Gpu } from '../gpu/adapter';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison, type Tolerance } from './check';
import { embeddingBackward, embeddingForward, embeddingKernels } from './embedding';
import * as ref from './embedding.ref';
import { combineComparisons, prepareKernels } from './harness';

/** The gather copies f32 values: exact. */
export const EMBEDDING_FORWARD_TOLERANCE: Tolerance = { atol: 0, rtol: 0 };
/**
 * Row v of dwte is an f32 sum of its n_v gradients in [-1, 1) (running sums over segments of 512 tokens,
 * then over segments). Each add rounds by at most half an ulp (6e-8 relative) of a partial sum of size
 * ~sqrt(n_v); the roundings add up like a random walk, ~sqrt(n_v) * 3e-8 * sqrt(n_v). For the tests' worst
 * rows (n_v ~ 150 of BT = 2500 with V = 17): ~5e-6 expected (observed 1.5e-5 at n_v = 500). A dropped or
 * doubled token moves a sum by ~0.5, far outside atol 5e-5, rtol 1e-5.
 */
export const EMBEDDING_BACKWARD_TOLERANCE: Tolerance = { atol: 5e-5, rtol: 1e-5 };

export interface EmbeddingCase {
  BT: number;
  V: number;
  C: number;
}

export interface EmbeddingInputs {
  tokens: Uint32Array;
  wte: Float32Array;
  dx: Float32Array;
}

export interface EmbeddingOutputs<A> {
  x: A;
  dwte: A;
}

export function embeddingInputs(seed: number, { BT, V, C }: EmbeddingCase): EmbeddingInputs {
  const rng = new Rng(seed);
  const tokens = Uint32Array.from({ length: BT }, () => rng.int(V));
  return { tokens, wte: randomArray(rng, V * C), dx: randomArray(rng, BT * C) };
}

/** Forward and backward on the GPU, outputs poisoned with NaN first. */
/** `xFill`: x's contents before the run instead of NaN poison (to see a kernel write NaN itself). */
export async function runEmbeddingGpu(gpu: Gpu, k: EmbeddingCase, inp: EmbeddingInputs, xFill?: number): Promise<EmbeddingOutputs<Float32Array>> {
  const { BT, V, C } = k;
  await prepareKernels(gpu, embeddingKernels);
  const tokens = uploadBuffer(gpu, 'test:embedding:tokens', inp.tokens);
  const wte = uploadBuffer(gpu, 'test:embedding:wte', inp.wte);
  const dx = uploadBuffer(gpu, 'test:embedding:dx', inp.dx);
  const x = createBuffer(gpu, 'test:embedding:x', BT * C * 4);
  const dwte = createBuffer(gpu, 'test:embedding:dwte', V * C * 4);
  if (xFill === undefined) poisonBuffer(gpu, x);
  else gpu.device.queue.writeBuffer(x, 0, new Float32Array(BT * C).fill(xFill));
  poisonBuffer(gpu, dwte);
  await runOnce(gpu, [embeddingForward(gpu, x, tokens, wte, BT, C), ...embeddingBackward(gpu, dwte, dx, tokens, BT, V, C)]);
  const out = { x: await readF32(gpu, x, BT * C), dwte: await readF32(gpu, dwte, V * C) };
  for (const b of [tokens, wte, dx, x, dwte]) b.destroy();
  return out;
}

export function runEmbeddingRef(k: EmbeddingCase, inp: EmbeddingInputs): EmbeddingOutputs<Float64Array> {
  const { BT, V, C } = k;
  const out = { x: new Float64Array(BT * C), dwte: new Float64Array(V * C) };
  ref.embeddingForward(out.x, inp.tokens, inp.wte, BT, C);
  ref.embeddingBackward(out.dwte, inp.dx, inp.tokens, BT, V, C);
  return out;
}

export async function checkEmbedding(gpu: Gpu, k: EmbeddingCase, seed: number): Promise<Comparison> {
  const inp = embeddingInputs(seed, k);
  const got = await runEmbeddingGpu(gpu, k, inp);
  const want = runEmbeddingRef(k, inp);
  const name = `embedding BT=${k.BT} V=${k.V} C=${k.C} seed=${seed}`;
  return combineComparisons([
    compareArrays(`${name} forward x`, got.x, want.x, EMBEDDING_FORWARD_TOLERANCE),
    compareArrays(`${name} backward dwte`, got.dwte, want.dwte, EMBEDDING_BACKWARD_TOLERANCE),
  ]);
}
