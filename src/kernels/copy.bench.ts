// copy_forward: the device-to-device copy whose GB/s (bytes read + bytes written) is the bandwidth ceiling
// that other kernels' GB/s are measured against.
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import { Rng } from '../util/rng';
import type { KernelBench } from './bench';
import { randomArray } from './check';
import { copyForward, copyForwardKernel } from './copy';

export function copyBench(N: number): KernelBench {
  return {
    kernel: 'copy_forward',
    shape: `N=${N} (${(N * 4) / 2 ** 20} MiB)`,
    bytes: 8 * N,
    async setup(gpu) {
      await gpu.pipelines.prepare(copyForwardKernel);
      const x = uploadBuffer(gpu, 'bench:copy:x', randomArray(new Rng(1), N));
      const y = createBuffer(gpu, 'bench:copy:y', N * 4);
      return { dispatches: [copyForward(gpu, y, x, N)], release: () => [x, y].forEach((b) => b.destroy()) };
    },
  };
}

/**
 * 4 MiB (fits in a big GPU's L2: a cache number), 24 MiB (one 8192 x 768 activation: the same bytes as the
 * norm, residual and embedding rows at that shape, so their launch and tail costs can be told from the
 * kernels' own) and 256 MiB (device memory: the ceiling).
 */
export const copyBenches: KernelBench[] = [copyBench(1 << 20), copyBench(8192 * 768), copyBench(1 << 26)];
