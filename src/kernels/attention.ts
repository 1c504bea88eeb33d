// GPU wrappers for shaders/attention.wgsl. Same names and argument order as attention.ref.ts.
// Tile shapes are pipeline `override`s picked here from HS and the adapter's workgroup-memory limit, so the
// pipelines for a model are prepared once with `prepareAttention(gpu, T, HS)` (or from `attentionKernels`).
//
// Choices, measured with attention.bench.ts on an NVIDIA H200 (Dawn/Vulkan, timestamp queries, which Dawn
// quantizes to about 6.5 us per 10 repetitions at the lab's shape):
// - Forward variant: flash-style at every T. The plain kernel (a query tile's scores materialized in workgroup
//   memory, T <= 256, keys and values read from global memory) was 5-8x slower at the lab's shape
//   (B=32 T=128 NH=4 HS=16: flash 20-33 us, plain 150-220 us) and 4-5x slower at HS=128 (B=8 T=256 NH=6:
//   216 us vs 1040-1150 us). It stays, tested, for the benchmark.
// - Tile shape {dpt: 4, threads: 256} (4 dims per thread, up to 256 threads) beat {8, 128} everywhere: lab forward
//   20-26 vs 33 us, backward 65 vs 92 us; B=8 T=512 NH=12 HS=64 forward 505 vs 760 us, backward 2570 vs 2910 us;
//   HS=128 forward 216 vs 282 us, backward 1400 vs 1750 us.
// - 16 KiB of workgroup memory (WebGPU's default limit, so the same tiles everywhere). 32 KiB changes nothing at the
//   lab's shape and speeds only the backward at HS >= 64 (HS=64 2180 vs 2570 us, HS=128 1000 vs 1400 us, from
//   larger TILE): pass `attentionTilesFor(gpu, T, HS, 32768)` to the wrappers to take it.
import code from '../../shaders/attention.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { assertHolds, groups, makeDispatch, type Dispatch } from '../gpu/dispatch';
import type { KernelSource, Overrides } from '../gpu/pipelines';

export const attentionForwardKernel: KernelSource = { name: 'attention_forward', code, entryPoint: 'attention_forward' };
export const attentionForwardPlainKernel: KernelSource = {
  name: 'attention_forward_plain',
  code,
  entryPoint: 'attention_forward_plain',
};
export const attentionBackwardKernel: KernelSource = { name: 'attention_backward', code, entryPoint: 'attention_backward' };

/** Largest head size the tiles are sized for (a thread owns at most MAX_DPT = 8 dims). */
export const ATTENTION_MAX_HS = 128;
/** Longest sequence the plain forward holds (its scores live in workgroup memory). */
export const ATTENTION_PLAIN_MAX_T = 256;
/** Workgroup memory the tiles aim for: WebGPU's default limit, so the same tiles run on every adapter. */
export const ATTENTION_WORKGROUP_BYTES = 16384;

const MAX_DPT = 8;

/** How tiles are shaped: dims per thread (<= 8) and the threads a workgroup aims for. */
export interface AttentionTileShape {
  dpt: number;
  threads: number;
}
export const ATTENTION_TILE_SHAPE: AttentionTileShape = { dpt: 4, threads: 256 };

/** The `override` constants of each attention pipeline for head size HS (and T, for the plain forward). */
export interface AttentionTiles {
  forward: Overrides;
  plain: Overrides;
  backward: Overrides;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Tiles that fit `budgetBytes` of workgroup memory (f32 words; rows padded to SP = HS + 1):
 * forward BQ*SP + 2*BK*SP + BQ*(BK+1); plain BQ*SP + BQ*(TMAX+1) + BQ*TPR; backward 4*TILE*SP + 2*TILE*(TILE+1) + 2*TILE.
 */
export function attentionTiles(
  T: number, HS: number, budgetBytes = ATTENTION_WORKGROUP_BYTES, { dpt, threads } = ATTENTION_TILE_SHAPE,
): AttentionTiles {
  if (!(Number.isInteger(HS) && HS >= 1 && HS <= ATTENTION_MAX_HS)) throw new Error(`attention: HS=${HS} outside 1..${ATTENTION_MAX_HS}`);
  const words = Math.floor(budgetBytes / 4);
  const SP = HS + 1;
  const TPR = pow2AtLeast(Math.ceil(HS / Math.min(dpt, MAX_DPT)));
  const rows = Math.max(1, Math.min(32, threads / TPR));
  let BQ = rows;
  let BK = rows;
  while (BQ * SP + 2 * BK * SP + BQ * (BK + 1) > words) {
    if (BK >= BQ) BK /= 2;
    else BQ /= 2;
  }
  const TMAX = Math.max(32, pow2AtLeast(Math.min(T, ATTENTION_PLAIN_MAX_T)));
  let PQ = rows;
  while (PQ > 1 && PQ * SP + PQ * (TMAX + 1) + PQ * TPR > words) PQ /= 2;
  let TILE = rows;
  while (TILE > 1 && 4 * TILE * SP + 2 * TILE * (TILE + 1) + 2 * TILE > words) TILE /= 2;
  return {
    forward: { HS, TPR, BQ, BK },
    plain: { HS, TPR, BQ: PQ, TMAX },
    backward: { HS, TPR, TILE },
  };
}

/** Tiles for this adapter: `budgetBytes` (16 KiB by default) and `shape.threads`, or less if the adapter allows less. */
export function attentionTilesFor(
  gpu: Gpu, T: number, HS: number, budgetBytes = ATTENTION_WORKGROUP_BYTES, shape = ATTENTION_TILE_SHAPE,
): AttentionTiles {
  const { maxComputeWorkgroupStorageSize: bytes, maxComputeInvocationsPerWorkgroup: threads } = gpu.adapter.limits;
  return attentionTiles(T, HS, Math.min(budgetBytes, bytes), { dpt: shape.dpt, threads: Math.min(shape.threads, threads ?? 256) });
}

/** The pipelines attentionForward and attentionBackward use at (T, HS), for `gpu.pipelines.prepare`. */
export function attentionKernels(
  gpu: Gpu, T: number, HS: number, tiles = attentionTilesFor(gpu, T, HS),
): { kernel: KernelSource; overrides: Overrides }[] {
  return [
    { kernel: attentionForwardKernel, overrides: tiles.forward },
    { kernel: attentionBackwardKernel, overrides: tiles.backward },
  ];
}

export async function prepareAttention(gpu: Gpu, T: number, HS: number, tiles = attentionTilesFor(gpu, T, HS)): Promise<void> {
  for (const { kernel, overrides } of attentionKernels(gpu, T, HS, tiles)) await gpu.pipelines.prepare(kernel, overrides);
}

function checkShape(name: string, B: number, T: number, NH: number, HS: number): void {
  for (const [k, v] of Object.entries({ B, T, NH, HS })) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name}: ${k}=${v} must be a positive integer`);
  }
}

/** Floats of each operand: qkvr and dqkvr (B,T,3,NH,HS), out and dout (B,T,NH,HS), lse (B,NH,T). */
function operandFloats(name: string, B: number, T: number, NH: number, HS: number): number {
  if (name === 'lse') return B * NH * T;
  return (name.endsWith('qkvr') ? 3 : 1) * B * T * NH * HS;
}

/**
 * One dispatch over (x tiles, NH, B) binding `operands` (checked to hold their shapes) in order; the uniform
 * holds B, T, NH, then scale = 1/sqrt(HS) as f32.
 */
function attentionDispatch(
  gpu: Gpu, kernel: KernelSource, overrides: Overrides, operands: Record<string, GPUBuffer>,
  B: number, T: number, NH: number, HS: number, x: number,
): Dispatch[] {
  checkShape(kernel.name, B, T, NH, HS);
  for (const [name, t] of Object.entries(operands)) assertHolds(kernel.name, name, t, operandFloats(name, B, T, NH, HS), { B, T, NH, HS });
  const buffers = Object.values(operands);
  if (overrides.HS !== HS) throw new Error(`${kernel.name}: tiles for HS=${overrides.HS} used at HS=${HS}`);
  const uniform = packUniform([B, T, NH, 1 / Math.sqrt(HS)], new Set([3]));
  return [makeDispatch(gpu, { kernel, overrides, buffers, uniform, workgroups: [x, NH, B] })];
}

/** Flash-style forward: out (B,T,NH,HS), lse (B,NH,T) from qkvr (B,T,3,NH,HS). */
export function attentionForwardFlash(
  gpu: Gpu, out: GPUBuffer, lse: GPUBuffer, qkvr: GPUBuffer, B: number, T: number, NH: number, HS: number,
  tiles = attentionTilesFor(gpu, T, HS),
): Dispatch[] {
  return attentionDispatch(gpu, attentionForwardKernel, tiles.forward, { out, lse, qkvr }, B, T, NH, HS, groups(T, tiles.forward.BQ));
}

/** Plain forward (T <= 256, scores in workgroup memory): the same outputs as attentionForwardFlash. */
export function attentionForwardPlain(
  gpu: Gpu, out: GPUBuffer, lse: GPUBuffer, qkvr: GPUBuffer, B: number, T: number, NH: number, HS: number,
  tiles = attentionTilesFor(gpu, T, HS),
): Dispatch[] {
  if (T > tiles.plain.TMAX) throw new Error(`attention_forward_plain: T=${T} > TMAX=${tiles.plain.TMAX}`);
  return attentionDispatch(gpu, attentionForwardPlainKernel, tiles.plain, { out, lse, qkvr }, B, T, NH, HS, groups(T, tiles.plain.BQ));
}

/** Causal attention forward: out (B,T,NH,HS) and lse (B,NH,T), overwritten. */
export function attentionForward(
  gpu: Gpu, out: GPUBuffer, lse: GPUBuffer, qkvr: GPUBuffer, B: number, T: number, NH: number, HS: number,
  tiles = attentionTilesFor(gpu, T, HS),
): Dispatch[] {
  return attentionForwardFlash(gpu, out, lse, qkvr, B, T, NH, HS, tiles);
}

/** dq, dk, dv into dqkvr (B,T,3,NH,HS), overwritten; one dispatch (dQ tiles and dK/dV tiles), deterministic. */
export function attentionBackward(
  gpu: Gpu, dqkvr: GPUBuffer, dout: GPUBuffer, qkvr: GPUBuffer, out: GPUBuffer, lse: GPUBuffer,
  B: number, T: number, NH: number, HS: number,
  tiles = attentionTilesFor(gpu, T, HS),
): Dispatch[] {
  const operands = { dqkvr, dout, qkvr, out, lse };
  return attentionDispatch(gpu, attentionBackwardKernel, tiles.backward, operands, B, T, NH, HS, 2 * groups(T, tiles.backward.TILE));
}
