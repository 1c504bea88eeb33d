// The AdamW chain (adamw_prepare + adamw_step) over flat parameter buffers of the presets (~120K, ~1.5M) and a
// large model (85M): bandwidth-bound, 28 bytes per parameter (read params, m, v, grads; write params, m, v).
// The table mimics Llama's `matrices` decay group (norm gains not decayed): a few flips per layer.
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import { MAX_EXECUTIONS, type KernelBench } from './bench';
import { adamwKernels, adamwStep, writeAdamwSchedule, type AdamwHyper, type TensorRange } from './adamw';

/** Layers of [gain (C, no decay), attention (4C², decay), gain (C), MLP (8C²)] until N floats are covered. */
export function layerTable(N: number, C: number): TensorRange[] {
  const table: TensorRange[] = [];
  const pattern = [C, 4 * C * C, C, 8 * C * C];
  for (let offset = 0, k = 0; offset < N; k++) {
    const length = Math.min(pattern[k % 4], N - offset);
    table.push({ offset, length, decay: k % 2 === 1 });
    offset += length;
  }
  return table;
}

/** Enough records that a timing loop never runs past the schedule (12.6 MB of 48-byte records). */
const RECORDS = MAX_EXECUTIONS;

function adamwBench(N: number, C: number): KernelBench {
  return {
    kernel: 'adamw_step',
    shape: `N=${N} C=${C}`,
    bytes: 28 * N,
    async setup(gpu) {
      for (const kernel of adamwKernels) await gpu.pipelines.prepare(kernel);
      const [params, m, v, grads] = ['params', 'm', 'v', 'grads'].map((n) => createBuffer(gpu, `bench:adamw:${n}`, 4 * N));
      const gradNorm = uploadBuffer(gpu, 'bench:adamw:grad_norm', new Float32Array([0.5]));
      const opt = adamwStep(gpu, params, m, v, grads, gradNorm, layerTable(N, C), N, { capacity: RECORDS });
      const hp: AdamwHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 1, maxNorm: 1 };
      writeAdamwSchedule(gpu, opt, Array.from({ length: RECORDS }, (_, k) => ({ ...hp, step: k + 1 })));
      return {
        dispatches: opt.dispatches,
        release: () => {
          opt.release();
          [params, m, v, grads, gradNorm].forEach((b) => b.destroy());
        },
      };
    },
  };
}

export const adamwBenches: KernelBench[] = [adamwBench(120_000, 64), adamwBench(1_500_000, 128), adamwBench(85_000_000, 768)];
