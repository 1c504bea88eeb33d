// norm_forward / norm_backward at the presets' shapes: bandwidth-bound. Bytes count each tensor once
// (f32): forward reads x, gain and writes y, mean, rstd; backward reads dy, x, gain, mean, rstd, reads and
// writes dx, and writes then reads the (slots, C) dgain partials (one row per backward workgroup, about 1024
// at large BT: 6% of the backward's bytes at 8192 x 768).
import type { Gpu } from '../gpu/adapter';
import { createBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { normBackward, normBackwardScratchBytes, normForward, normKernels } from './norm';
import { prepareKernels } from './harness';

function buffers(gpu: Gpu, BT: number, C: number) {
  const make = (name: string, n: number) => createBuffer(gpu, `bench:norm:${name}`, n * 4);
  return { x: make('x', BT * C), y: make('y', BT * C), dx: make('dx', BT * C), gain: make('gain', C), dgain: make('dgain', C), mean: make('mean', BT), rstd: make('rstd', BT) };
}

/** Backward tuning for `--sweep`: rows per workgroup (default when absent), or only its first (rows) dispatch. */
interface BackwardVariant {
  rowsPerSlot?: number;
  rowsPassOnly?: boolean;
}

function normBench(BT: number, C: number, centered: boolean, pass: 'forward' | 'backward', variant: BackwardVariant = {}): KernelBench {
  const partialBytes = normBackwardScratchBytes(BT, C, variant.rowsPerSlot);
  const tuned = [variant.rowsPerSlot && `rowsPerSlot=${variant.rowsPerSlot}`, variant.rowsPassOnly && 'rows pass only'].filter(Boolean).join(' ');
  return {
    kernel: `norm_${pass}`,
    shape: `BT=${BT} C=${C} ${centered ? 'LayerNorm' : 'RMSNorm'}${tuned ? ` ${tuned}` : ''}`,
    bytes: pass === 'forward' ? 4 * (2 * BT * C + C + 2 * BT) : 4 * (4 * BT * C + 2 * C + 2 * BT) + (variant.rowsPassOnly ? 1 : 2) * partialBytes,
    async setup(gpu) {
      await prepareKernels(gpu, normKernels);
      const b = buffers(gpu, BT, C);
      // y doubles as dy in the backward.
      const dispatches = pass === 'forward'
        ? [normForward(gpu, b.y, b.mean, b.rstd, b.x, b.gain, BT, C, centered, 1e-5)]
        : normBackward(gpu, b.dx, b.dgain, b.y, b.x, b.gain, b.mean, b.rstd, BT, C, centered, { rowsPerSlot: variant.rowsPerSlot })
          .slice(0, variant.rowsPassOnly ? 1 : 2);
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

/**
 * `npm run bench -- --sweep`: the backward's rows per workgroup and its rows pass alone at 8192 x 768, and
 * both passes at 65536 x 768, where each tensor is 192 MiB like the copy ceiling's 256 MiB (so launch and
 * tail effects weigh as little as they do there).
 */
export const normSweepBenches: KernelBench[] = [
  ...[2, 4, 8, 32].map((rowsPerSlot) => normBench(8192, 768, false, 'backward', { rowsPerSlot })),
  normBench(8192, 768, false, 'backward', { rowsPassOnly: true }),
  normBench(65536, 768, false, 'forward'),
  normBench(65536, 768, true, 'forward'),
  normBench(65536, 768, false, 'backward'),
];
