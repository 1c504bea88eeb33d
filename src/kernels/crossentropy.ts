// GPU wrappers for shaders/crossentropy.wgsl. Same names and argument order as crossentropy.ref.ts.
import code from '../../shaders/crossentropy.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const crossentropyForwardKernel: KernelSource = { name: 'crossentropy_forward', code, entryPoint: 'crossentropy_forward' };
export const crossentropyBackwardKernel: KernelSource = { name: 'crossentropy_backward', code, entryPoint: 'crossentropy_backward' };

/** Every pipeline this family uses (default overrides): `gpu.pipelines.prepare` each before making dispatches. */
export const crossentropyKernels: KernelSource[] = [crossentropyForwardKernel, crossentropyBackwardKernel];

/** Checks BT and V, and that the inputs hold logits (BT, V), targets and weights (BT). */
function assertSizes(name: string, logits: GpuTensor, targets: GpuTensor, weights: GpuTensor, BT: number, V: number): void {
  if (!(Number.isInteger(BT) && BT >= 1 && Number.isInteger(V) && V >= 1)) throw new RangeError(`${name}: need BT >= 1 and V >= 1, got BT=${BT} V=${V}`);
  assertHolds(name, 'logits', logits, BT * V, { BT, V });
  assertHolds(name, 'targets', targets, BT, { BT }, 'u32s');
  assertHolds(name, 'weights', weights, BT, { BT });
}

/**
 * losses (BT) = weights * (logsumexp(logits) - logits[target]) per row; logits (BT, V), targets u32 (BT),
 * weights f32 (BT). One workgroup per row.
 */
export function crossentropyForward(
  gpu: Gpu,
  losses: GpuTensor,
  logits: GpuTensor,
  targets: GpuTensor,
  weights: GpuTensor,
  BT: number,
  V: number,
): Dispatch {
  assertSizes('crossentropy_forward', logits, targets, weights, BT, V);
  assertHolds('crossentropy_forward', 'losses', losses, BT, { BT });
  return makeDispatch(gpu, {
    kernel: crossentropyForwardKernel,
    buffers: [losses, logits, targets, weights],
    uniform: packUniform([BT, V]),
    workgroups: grid1d(gpu, BT, 1),
  });
}

/** dlogits (BT, V) = weights * (softmax(logits) - onehot(target)), overwritten. One workgroup per row. */
export function crossentropyBackward(
  gpu: Gpu,
  dlogits: GpuTensor,
  logits: GpuTensor,
  targets: GpuTensor,
  weights: GpuTensor,
  BT: number,
  V: number,
): Dispatch {
  assertSizes('crossentropy_backward', logits, targets, weights, BT, V);
  assertHolds('crossentropy_backward', 'dlogits', dlogits, BT * V, { BT, V });
  return makeDispatch(gpu, {
    kernel: crossentropyBackwardKernel,
    buffers: [dlogits, logits, targets, weights],
    uniform: packUniform([BT, V]),
    workgroups: grid1d(gpu, BT, 1),
  });
}
