// rope_forward / rope_backward at the presets' shapes: bandwidth-bound, every element of the (B,T,3,NH,HS)
// tensor read and written once (f32) plus the (T, HS/2) cos/sin table.
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { prepareKernels } from './harness';
import { ropeBackward, ropeForward, ropeKernels } from './rope';

function ropeBench(B: number, T: number, NH: number, HS: number, pass: 'forward' | 'backward'): KernelBench {
  const N = B * T * 3 * NH * HS;
  return {
    kernel: `rope_${pass}`,
    shape: `B=${B} T=${T} NH=${NH} HS=${HS}`,
    bytes: 4 * (2 * N + T * HS),
    async setup(gpu) {
      await prepareKernels(gpu, ropeKernels);
      const [out, inp] = ['out', 'in'].map((n) => createBuffer(gpu, `bench:rope:${n}`, N * 4));
      const wrapper = pass === 'forward' ? ropeForward : ropeBackward;
      return { dispatches: [wrapper(gpu, out, inp, B, T, NH, HS)], release: () => [out, inp].forEach((x) => x.destroy()) };
    },
  };
}

/** The lab preset (B=32, T=128, 4 heads of 16: 4096 tokens, C = 64) and a large case (8 x 1024, 12 x 64). */
export const ropeBenches: KernelBench[] = [
  ropeBench(32, 128, 4, 16, 'forward'),
  ropeBench(32, 128, 4, 16, 'backward'),
  ropeBench(8, 1024, 12, 64, 'forward'),
  ropeBench(8, 1024, 12, 64, 'backward'),
];
