// GPU wrappers for shaders/embedding.wgsl. Same names and argument order as embedding.ref.ts.
import code from '../../shaders/embedding.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { createBuffer, packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, groups, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const embeddingForwardKernel: KernelSource = { name: 'embedding_forward', code, entryPoint: 'embedding_forward' };
export const embeddingBackwardKernel: KernelSource = { name: 'embedding_backward', code, entryPoint: 'embedding_backward' };
export const embeddingBackwardSumKernel: KernelSource = { name: 'embedding_backward_sum', code, entryPoint: 'embedding_backward_sum' };

/** Every pipeline the embedding wrappers use (default overrides): prepare these before building dispatches. */
export const embeddingKernels: KernelSource[] = [embeddingForwardKernel, embeddingBackwardKernel, embeddingBackwardSumKernel];

const WG = 256;
/** The backward's segment of the token list: WG threads x TOKENS (the shader's override defaults). */
export const EMBEDDING_SEGMENT = WG * 2;
/** Vocabulary ids per backward workgroup (the shader's IDS): ids g, g + G, g + 2G, g + 3G with G = ceil(V / 4). */
export const EMBEDDING_BACKWARD_IDS = 4;

/** x (BT,C) = wte[tokens]; tokens u32 (BT). A token >= wte's rows gives a NaN row (V is wte's floats / C). */
export function embeddingForward(gpu: Gpu, x: GpuTensor, tokens: GpuTensor, wte: GpuTensor, BT: number, C: number): Dispatch {
  if (!(BT >= 1 && C >= 1)) throw new Error(`embedding_forward: BT=${BT} C=${C} must be >= 1`);
  assertHolds('embedding_forward', 'x', x, BT * C, { BT, C });
  assertHolds('embedding_forward', 'tokens', tokens, BT, { BT }, 'u32s');
  return makeDispatch(gpu, {
    kernel: embeddingForwardKernel,
    buffers: [x, tokens, wte],
    uniform: packUniform([BT, C]),
    workgroups: grid1d(gpu, BT * C, WG),
  });
}

/** Bytes of the backward's (segments, V, C) partials; 0 when BT fits one segment. */
export function embeddingBackwardScratchBytes(BT: number, V: number, C: number): number {
  const segments = Math.ceil(BT / EMBEDDING_SEGMENT);
  return segments > 1 ? segments * V * C * 4 : 0;
}

/**
 * dwte (V,C) overwritten: row v = sum of the dx rows whose token is v (tokens >= V are ignored), in token
 * order within segments of EMBEDDING_SEGMENT tokens, segments added in order. One dispatch when BT fits one
 * segment, else two with a (segments, V, C) scratch (allocated when not given).
 */
export function embeddingBackward(
  gpu: Gpu, dwte: GpuTensor, dx: GpuTensor, tokens: GpuTensor, BT: number, V: number, C: number, scratch?: GPUBuffer,
): Dispatch[] {
  if (!(BT >= 1 && V >= 1 && C >= 1)) throw new Error(`embedding_backward: BT=${BT} V=${V} C=${C} must be >= 1`);
  if (BT >= 2 ** 30) throw new Error(`embedding_backward: BT=${BT} must be below 2^30 (token indices are packed with 2 bits)`);
  assertHolds('embedding_backward', 'dwte', dwte, V * C, { V, C });
  assertHolds('embedding_backward', 'dx', dx, BT * C, { BT, C });
  assertHolds('embedding_backward', 'tokens', tokens, BT, { BT }, 'u32s');
  const segments = Math.ceil(BT / EMBEDDING_SEGMENT);
  const idGroups = Math.ceil(V / EMBEDDING_BACKWARD_IDS);
  const uniform = packUniform([BT, V, C, segments, idGroups]);
  const bytes = embeddingBackwardScratchBytes(BT, V, C);
  if (scratch && scratch.size < bytes) throw new Error(`embedding_backward: scratch of ${scratch.size} bytes, needs ${bytes}`);
  const made = segments > 1 && !scratch ? createBuffer(gpu, 'embedding_backward:partials', bytes) : undefined;
  const partial = segments === 1 ? dwte : (scratch ?? made!);
  const rows = makeDispatch(gpu, {
    kernel: embeddingBackwardKernel,
    buffers: [partial, dx, tokens],
    uniform,
    workgroups: [idGroups, groups(C, WG), segments],
  });
  if (segments === 1) return [rows];
  if (made) rows.owns.push(made); // made here: it goes with the dispatches
  const sum = makeDispatch(gpu, {
    kernel: embeddingBackwardSumKernel,
    buffers: [dwte, partial],
    uniform,
    workgroups: grid1d(gpu, V * C, WG),
  });
  return [rows, sum];
}
