// GPU wrappers for shaders/swiglu.wgsl. Same names and argument order as swiglu.ref.ts.
import code from '../../shaders/swiglu.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const swigluForwardKernel: KernelSource = { name: 'swiglu_forward', code, entryPoint: 'swiglu_forward' };
export const swigluBackwardKernel: KernelSource = { name: 'swiglu_backward', code, entryPoint: 'swiglu_backward' };

/** Every pipeline the swiglu wrappers use (default overrides): prepare these before building dispatches. */
export const swigluKernels: KernelSource[] = [swigluForwardKernel, swigluBackwardKernel];

const WG = 256;

function check(name: string, BT: number, F: number): void {
  if (!(BT >= 1 && F >= 1)) throw new Error(`${name}: BT=${BT} F=${F} must be >= 1`);
}

/** h (BT,F) = silu(gate) * up, gu (BT,2F) = [gate | up] per row. */
export function swigluForward(gpu: Gpu, h: GpuTensor, gu: GpuTensor, BT: number, F: number): Dispatch {
  check('swiglu_forward', BT, F);
  assertHolds('swiglu_forward', 'h', h, BT * F, { BT, F });
  assertHolds('swiglu_forward', 'gu', gu, BT * 2 * F, { BT, F });
  return makeDispatch(gpu, {
    kernel: swigluForwardKernel,
    buffers: [h, gu],
    uniform: packUniform([BT, F]),
    workgroups: grid1d(gpu, BT * F, WG),
  });
}

/** dgu (BT,2F) overwritten: [dgate | dup]. */
export function swigluBackward(gpu: Gpu, dgu: GpuTensor, dh: GpuTensor, gu: GpuTensor, BT: number, F: number): Dispatch {
  check('swiglu_backward', BT, F);
  assertHolds('swiglu_backward', 'dgu', dgu, BT * 2 * F, { BT, F });
  assertHolds('swiglu_backward', 'dh', dh, BT * F, { BT, F });
  assertHolds('swiglu_backward', 'gu', gu, BT * 2 * F, { BT, F });
  return makeDispatch(gpu, {
    kernel: swigluBackwardKernel,
    buffers: [dgu, dh, gu],
    uniform: packUniform([BT, F]),
    workgroups: grid1d(gpu, BT * F, WG),
  });
}
