// GPU wrapper for shaders/residual.wgsl. Same name and argument order as residual.ref.ts.
import code from '../../shaders/residual.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const residualForwardKernel: KernelSource = { name: 'residual_forward', code, entryPoint: 'residual_forward' };

const WG = 256;

/** y = a + b over N floats. */
export function residualForward(gpu: Gpu, y: GpuTensor, a: GpuTensor, b: GpuTensor, N: number): Dispatch {
  return makeDispatch(gpu, {
    kernel: residualForwardKernel,
    buffers: [y, a, b],
    uniform: packUniform([N]),
    workgroups: grid1d(gpu, N, WG),
  });
}
