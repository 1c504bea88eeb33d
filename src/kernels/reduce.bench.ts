// reduce_sum / reduce_norm (two dispatches each) over the flat gradient buffer of the presets (~120K and
// ~1.5M parameters) and a large model (85M), and over the per-token losses (4096): bandwidth-bound, 4*N bytes
// read plus the partials (8*P).
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { reduceKernels, reduceNorm, reducePlan, reduceSum } from './reduce';

function reduceBench(op: 'sum' | 'norm', N: number): KernelBench {
  const { P } = reducePlan(N);
  return {
    kernel: `reduce_${op}`,
    shape: `N=${N} P=${P}`,
    bytes: 4 * N + 8 * P,
    async setup(gpu) {
      for (const kernel of reduceKernels) await gpu.pipelines.prepare(kernel);
      const x = createBuffer(gpu, `bench:reduce_${op}:x`, 4 * N);
      const out = createBuffer(gpu, `bench:reduce_${op}:out`, 4);
      const reduction = (op === 'sum' ? reduceSum : reduceNorm)(gpu, out, x, N);
      return {
        dispatches: reduction.dispatches,
        release: () => {
          reduction.release();
          [x, out].forEach((b) => b.destroy());
        },
      };
    },
  };
}

export const reduceBenches: KernelBench[] = [
  reduceBench('sum', 4096),
  ...[120_000, 1_500_000, 85_000_000].map((N) => reduceBench('norm', N)),
];
