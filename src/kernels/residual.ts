// GPU wrapper for shaders/residual.wgsl. Same name and argument order as residual.ref.ts.
import code from '../../shaders/residual.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const residualForwardKernel: KernelSource = { name: 'residual_forward', code, entryPoint: 'residual_forward' };

const WG = 256;

/** y = a + b over N floats. */
export function residualForward(gpu: Gpu, y: GpuTensor, a: GpuTensor, b: GpuTensor, N: number): Dispatch {
  for (const [name, t] of Object.entries({ y, a, b })) assertHolds('residual_forward', name, t, N, { N });
  return makeDispatch(gpu, {
    kernel: residualForwardKernel,
    buffers: [y, a, b],
    uniform: packUniform([N]),
    workgroups: grid1d(gpu, N, WG),
  });
}
