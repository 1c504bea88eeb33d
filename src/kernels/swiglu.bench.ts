// swiglu_forward / swiglu_backward at the presets' shapes: bandwidth-bound (f32). Forward reads gu (2F per
// row) and writes h (F): 12 bytes per (row, j); backward reads dh and gu and writes dgu: 20 bytes.
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { prepareKernels } from './harness';
import { swigluBackward, swigluForward, swigluKernels } from './swiglu';

function swigluBench(BT: number, F: number, pass: 'forward' | 'backward'): KernelBench {
  return {
    kernel: `swiglu_${pass}`,
    shape: `BT=${BT} F=${F}`,
    bytes: (pass === 'forward' ? 12 : 20) * BT * F,
    async setup(gpu) {
      await prepareKernels(gpu, swigluKernels);
      const gu = createBuffer(gpu, 'bench:swiglu:gu', BT * 2 * F * 4);
      const h = createBuffer(gpu, 'bench:swiglu:h', BT * F * 4);
      const dgu = createBuffer(gpu, 'bench:swiglu:dgu', BT * 2 * F * 4);
      const dispatches = pass === 'forward' ? [swigluForward(gpu, h, gu, BT, F)] : [swigluBackward(gpu, dgu, h, gu, BT, F)];
      return { dispatches, release: () => [gu, h, dgu].forEach((x) => x.destroy()) };
    },
  };
}

/** The lab preset (4096 tokens, C = 64, F = 172) and a large case (8192 tokens, C = 768, F = 2048). */
export const swigluBenches: KernelBench[] = [
  swigluBench(4096, 172, 'forward'),
  swigluBench(4096, 172, 'backward'),
  swigluBench(8192, 2048, 'forward'),
  swigluBench(8192, 2048, 'backward'),
];
