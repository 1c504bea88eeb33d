// attention at the lab's shape (B=32, T=128, NH=4, HS=16), at GPT-2-small's (B=8, T=512, NH=12, HS=64) and at
// head size 128. Compute-bound napkin math, counting useful work over the P = B*NH*T*(T+1)/2 causal pairs:
// forward 4*HS*P flops (q.k and p*v), backward 8*HS*P (dP, dV, dQ, dK: twice the forward, as the training
// MFU's 6*L*C*T counts it in bench/train.ts; recomputing s is not useful work, and this kernel recomputes s
// and dP in both its dQ and its dK/dV workgroups, so it does 14*HS*P).
// Variants timed side by side: flash vs plain forward, 16 KiB vs 32 KiB of workgroup memory, tile shapes.
import type { Gpu } from '../gpu/adapter';
import { uploadBuffer } from '../gpu/buffers';
import { runOnce, type Dispatch } from '../gpu/dispatch';
import { Rng } from '../util/rng';
import type { KernelBench } from './bench';
import { randomArray } from './check';
import {
  attentionBackward,
  attentionForwardFlash,
  attentionForwardPlain,
  attentionForwardPlainKernel,
  attentionTiles,
  attentionTilesFor,
  prepareAttention,
  ATTENTION_TILE_SHAPE,
  type AttentionTiles,
  type AttentionTileShape,
} from './attention';
import { randomQkvr, type AttentionShape } from './attention.selftest';

type Variant = 'flash' | 'plain' | 'backward';

function tileName(variant: Variant, tiles: AttentionTiles): string {
  const o = variant === 'flash' ? tiles.forward : variant === 'plain' ? tiles.plain : tiles.backward;
  return Object.entries(o)
    .filter(([k]) => k !== 'HS')
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

async function attentionCase(gpu: Gpu, shape: AttentionShape, variant: Variant, budget: number, tileShape: AttentionTileShape) {
  const { B, T, NH, HS } = shape;
  const tiles = attentionTilesFor(gpu, T, HS, budget, tileShape);
  await prepareAttention(gpu, T, HS, tiles);
  if (variant === 'plain') await gpu.pipelines.prepare(attentionForwardPlainKernel, tiles.plain);
  const rng = new Rng(1);
  const qkvr = uploadBuffer(gpu, 'bench:attention:qkvr', randomQkvr(rng, shape));
  const out = uploadBuffer(gpu, 'bench:attention:out', new Float32Array(B * T * NH * HS));
  const lse = uploadBuffer(gpu, 'bench:attention:lse', new Float32Array(B * NH * T));
  const dout = uploadBuffer(gpu, 'bench:attention:dout', randomArray(rng, B * T * NH * HS));
  const dqkvr = uploadBuffer(gpu, 'bench:attention:dqkvr', new Float32Array(B * T * 3 * NH * HS));
  // A real out and lse, so the backward's exp(s - lse) sees the values it meets in training.
  await runOnce(gpu, attentionForwardFlash(gpu, out, lse, qkvr, B, T, NH, HS, tiles));
  let dispatches: Dispatch[];
  if (variant === 'flash') dispatches = attentionForwardFlash(gpu, out, lse, qkvr, B, T, NH, HS, tiles);
  else if (variant === 'plain') dispatches = attentionForwardPlain(gpu, out, lse, qkvr, B, T, NH, HS, tiles);
  else dispatches = attentionBackward(gpu, dqkvr, dout, qkvr, out, lse, B, T, NH, HS, tiles);
  return { dispatches, release: () => [qkvr, out, lse, dout, dqkvr].forEach((x) => x.destroy()) };
}

export function attentionBench(shape: AttentionShape, variant: Variant, budget = 16384, tileShape = ATTENTION_TILE_SHAPE): KernelBench {
  const { B, T, NH, HS } = shape;
  const pairs = (B * NH * T * (T + 1)) / 2;
  return {
    kernel: variant === 'backward' ? 'attention_backward' : variant === 'plain' ? 'attention_forward_plain' : 'attention_forward',
    shape: `B=${B} T=${T} NH=${NH} HS=${HS} (${budget / 1024} KiB: ${tileName(variant, attentionTiles(T, HS, budget, tileShape))})`,
    flops: (variant === 'backward' ? 8 : 4) * HS * pairs,
    setup: (gpu) => attentionCase(gpu, shape, variant, budget, tileShape),
  };
}

export const LAB: AttentionShape = { B: 32, T: 128, NH: 4, HS: 16 };
export const GPT2: AttentionShape = { B: 8, T: 512, NH: 12, HS: 64 };
export const HEAD128: AttentionShape = { B: 8, T: 256, NH: 6, HS: 128 };

/**
 * Each shape with the chosen tiles: flash forward, plain forward (T <= 256), backward; and the backward with
 * 32 KiB tiles (the one kernel that gains from them). Numbers and the choices they support: attention.ts.
 */
export const attentionBenches: KernelBench[] = [LAB, GPT2, HEAD128].flatMap((shape) => [
  attentionBench(shape, 'flash'),
  ...(shape.T <= 256 ? [attentionBench(shape, 'plain')] : []),
  attentionBench(shape, 'backward'),
  attentionBench(shape, 'backward', 32768),
]);

/** Tile shapes timed against each other (a sweep, like MATMUL_SWEEP): dims per thread x threads x budget. */
export const attentionSweep: KernelBench[] = [LAB, GPT2, HEAD128].flatMap((shape) =>
  [16384, 32768].flatMap((budget) =>
    [{ dpt: 8, threads: 128 }, { dpt: 4, threads: 128 }, { dpt: 4, threads: 256 }, { dpt: 2, threads: 256 }].flatMap((tiles) => [
      attentionBench(shape, 'flash', budget, tiles),
      attentionBench(shape, 'backward', budget, tiles),
    ]),
  ),
);
