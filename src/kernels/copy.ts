// GPU wrapper for shaders/copy.wgsl. Same name and argument order as copy.ref.ts.
import code from '../../shaders/copy.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const copyForwardKernel: KernelSource = { name: 'copy_forward', code, entryPoint: 'copy_forward' };

const WG = 256;

/** y = x over N floats; N must be a multiple of 4 (vec4 copies). */
export function copyForward(gpu: Gpu, y: GpuTensor, x: GpuTensor, N: number): Dispatch {
  if (!Number.isInteger(N) || N < 0 || N % 4 !== 0) throw new Error(`copy_forward: N=${N} must be a multiple of 4`);
  assertHolds('copy_forward', 'y', y, N, { N });
  assertHolds('copy_forward', 'x', x, N, { N });
  return makeDispatch(gpu, {
    kernel: copyForwardKernel,
    buffers: [y, x],
    uniform: packUniform([N / 4]),
    workgroups: grid1d(gpu, N / 4, WG),
  });
}
