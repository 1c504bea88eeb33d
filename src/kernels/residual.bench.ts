// residual_forward at the presets' activation sizes: bandwidth-bound, 12 bytes per element (2 reads, 1 write).
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { residualForward, residualForwardKernel } from './residual';

function residualBench(N: number): KernelBench {
  return {
    kernel: 'residual_forward',
    shape: `N=${N}`,
    bytes: 12 * N,
    async setup(gpu) {
      await gpu.pipelines.prepare(residualForwardKernel);
      const [y, a, b] = ['y', 'a', 'b'].map((n) => createBuffer(gpu, `bench:residual:${n}`, N * 4));
      return { dispatches: [residualForward(gpu, y, a, b, N)], release: () => [y, a, b].forEach((x) => x.destroy()) };
    },
  };
}

/** B*T*C for the lab presets (4096 tokens x 64 channels) and a large case (8192 x 768). */
export const residualBenches: KernelBench[] = [residualBench(4096 * 64), residualBench(8192 * 768)];
