// norm_forward / norm_backward at the presets' shapes: bandwidth-bound. Bytes count each tensor once
// (f32): forward reads x, gain and writes y, mean, rstd; backward reads dy, x, gain, mean, rstd, reads and
// writes dx, and writes then reads the (slots, C) dgain partials.
import type { Gpu } from '../gpu/adapter';
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { normBackward, normBackwardScratchBytes, normForward, normKernels } from './norm';
import { prepareKernels } from './harness';

function buffers(gpu: Gpu, BT: number, C: number) {
  const make = (name: string, n: number) => createBuffer(gpu, `bench:norm:${name}`, n * 4);
  return { x: make('x', BT * C), y: make('y', BT * C), dx: make('dx', BT * C), gain: make('gain', C), dgain: make('dgain', C), mean: make('mean', BT), rstd: make('rstd', BT) };
}

function normBench(BT: number, C: number, centered: boolean, pass: 'forward' | 'backward'): KernelBench {
  const partialBytes = normBackwardScratchBytes(BT, C);
  return {
    kernel: `norm_${pass}`,
    shape: `BT=${BT} C=${C} ${centered ? 'LayerNorm' : 'RMSNorm'}`,
    bytes: pass === 'forward' ? 4 * (2 * BT * C + C + 2 * BT) : 4 * (4 * BT * C + 2 * C + 2 * BT) + 2 * partialBytes,
    async setup(gpu) {
      await prepareKernels(gpu, normKernels);
      const b = buffers(gpu, BT, C);
      // y doubles as dy in the backward.
      const dispatches = pass === 'forward'
        ? [normForward(gpu, b.y, b.mean, b.rstd, b.x, b.gain, BT, C, centered, 1e-5)]
        : normBackward(gpu, b.dx, b.dgain, b.y, b.x, b.gain, b.mean, b.rstd, BT, C, centered);
      return { dispatches, release: () => Object.values(b).forEach((x) => x.destroy()) };
    },
  };
}

/** The lab preset (B*T = 32*128 = 4096 tokens, C = 64) and a large case (8192 x 768); RMSNorm is the model's. */
export const normBenches: KernelBench[] = [
  normBench(4096, 64, false, 'forward'),
  normBench(4096, 64, false, 'backward'),
  normBench(8192, 768, false, 'forward'),
  normBench(8192, 768, false, 'backward'),
  normBench(8192, 768, true, 'forward'),
  normBench(8192, 768, true, 'backward'),
];
