// The shape of a kernel benchmark: `<name>.bench.ts` files export KernelBench lists, registered in
// bench/registry.ts and run by `npm run bench` (bench/kernels.ts). Napkin math comes from `flops`/`bytes`.
import type { Gpu } from '../gpu/adapter';
import type { Dispatch } from '../gpu/dispatch';

export interface KernelBenchCase {
  /** Dispatches for one execution of the kernel at this shape (buffers allocated, contents random). */
  dispatches: Dispatch[];
  /** Frees the case's buffers. */
  release: () => void;
}

export interface KernelBench {
  kernel: string;
  /** Human-readable shape, e.g. `B*T=8192 C=768 OC=2304`. */
  shape: string;
  /** Floating-point operations per execution (compute-bound kernels). */
  flops?: number;
  /** Bytes that must move to/from memory per execution (bandwidth-bound kernels). */
  bytes?: number;
  setup: (gpu: Gpu) => Promise<KernelBenchCase>;
}

/**
 * The most executions of one case `npm run bench` runs (probe, warm-up and timed passes together): a stateful
 * case sizes itself to it (AdamW's schedule holds one record per step).
 */
export const MAX_EXECUTIONS = 1 << 18;
