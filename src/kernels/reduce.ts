// GPU wrappers for shaders/reduce.wgsl. Same names and argument order as reduce.ref.ts. Each reduction is two
// dispatches (partials, then final) over a scratch buffer of P floats that the wrapper owns or is given.
import code from '../../shaders/reduce.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { createBuffer, createUniform, packUniform } from '../gpu/buffers';
import { grid1d, groups, makeDispatch, type Dispatch } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const reduceSumPartialsKernel: KernelSource = { name: 'reduce_sum_partials', code, entryPoint: 'reduce_sum_partials' };
export const reduceSumFinalKernel: KernelSource = { name: 'reduce_sum_final', code, entryPoint: 'reduce_sum_final' };
export const reduceNormPartialsKernel: KernelSource = { name: 'reduce_norm_partials', code, entryPoint: 'reduce_norm_partials' };
export const reduceNormFinalKernel: KernelSource = { name: 'reduce_norm_final', code, entryPoint: 'reduce_norm_final' };

/** Every pipeline this family uses (default overrides): `gpu.pipelines.prepare` each before making dispatches. */
export const reduceKernels: KernelSource[] = [reduceSumPartialsKernel, reduceSumFinalKernel, reduceNormPartialsKernel, reduceNormFinalKernel];

/** Threads per workgroup in both passes (the shader's WG). */
export const REDUCE_WG = 256;
/** Elements a workgroup loads per step: UNROLL (8) independent loads per thread (the shader's UNROLL * WG). */
export const REDUCE_BLOCK = 8 * REDUCE_WG;
/** Pass 1 never makes more partials than this, so pass 2's single workgroup walks at most 2 blocks. */
export const REDUCE_MAX_PARTIALS = 4096;
/** Smallest chunk per pass-1 workgroup: one block, 8 elements per thread. */
export const REDUCE_MIN_CHUNK = REDUCE_BLOCK;

/** The fixed summation order: chunk (elements per pass-1 workgroup, a multiple of WG) and P partials. */
export interface ReducePlan {
  N: number;
  chunk: number;
  P: number;
}

/**
 * The plan for N elements: by default the fewest whole blocks per chunk that keep P <= REDUCE_MAX_PARTIALS, so
 * only the last chunk has a ragged block. `chunk` (a multiple of REDUCE_WG) overrides it, e.g. to test many
 * partials or ragged blocks.
 */
export function reducePlan(N: number, chunk?: number): ReducePlan {
  if (!(Number.isInteger(N) && N >= 1)) throw new RangeError(`reduce: need N >= 1, got ${N}`);
  const c = chunk ?? Math.max(REDUCE_MIN_CHUNK, groups(groups(N, REDUCE_MAX_PARTIALS), REDUCE_BLOCK) * REDUCE_BLOCK);
  if (!(Number.isInteger(c) && c >= REDUCE_WG && c % REDUCE_WG === 0)) throw new RangeError(`reduce: chunk ${c} must be a multiple of ${REDUCE_WG}`);
  return { N, chunk: c, P: groups(N, c) };
}

/**
 * Worst-case |error| / Σ|x| (Σx² for the norm's square) of this order in f32: each value passes through at
 * most ceil(chunk/BLOCK) serial adds in its thread's accumulator, 3 levels combining the thread's 8
 * accumulators, log2(WG) tree levels, then in pass 2 ceil(P/BLOCK) serial adds, 3 and log2(WG) more levels,
 * each adding one rounding (unit roundoff 2^-24), plus one for the square (or the square root).
 */
export function reduceErrorBound({ chunk, P }: ReducePlan): number {
  const levels = 3 + Math.log2(REDUCE_WG);
  return (Math.ceil(chunk / REDUCE_BLOCK) + levels + Math.ceil(P / REDUCE_BLOCK) + levels + 1) * 2 ** -24;
}

export interface ReduceOptions {
  /** Scratch for the partials (>= 4*P bytes); by default the wrapper creates one and `release` frees it. */
  scratch?: GPUBuffer;
  /** The result goes to out[outIndex] (default 0), e.g. a per-step slot of a metrics buffer. */
  outIndex?: number;
  /** Elements per pass-1 workgroup (a multiple of REDUCE_WG); default from reducePlan. */
  chunk?: number;
}

export interface Reduction {
  /** [partials pass, final pass], to run in this order. */
  dispatches: Dispatch[];
  plan: ReducePlan;
  scratch: GPUBuffer;
  /** Frees the scratch buffer if the wrapper created it (and the sizes uniform). */
  release: () => void;
}

function reduction(
  gpu: Gpu,
  [partialsKernel, finalKernel]: [KernelSource, KernelSource],
  out: GPUBuffer,
  x: GPUBuffer,
  N: number,
  opts: ReduceOptions,
): Reduction {
  const plan = reducePlan(N, opts.chunk);
  const outIndex = opts.outIndex ?? 0;
  const name = finalKernel.name.replace('_final', '');
  if (out.size < 4 * (outIndex + 1)) throw new RangeError(`${name}: out (${out.size} bytes) has no element ${outIndex}`);
  if (x.size < 4 * N) throw new RangeError(`${name}: x (${x.size} bytes) holds fewer than N=${N} floats`);
  if (opts.scratch && opts.scratch.size < 4 * plan.P) throw new RangeError(`${name}: scratch needs ${4 * plan.P} bytes for N=${N}`);
  const scratch = opts.scratch ?? createBuffer(gpu, `${name}:partials`, 4 * plan.P);
  const uniform = createUniform(gpu, `${name}:params`, packUniform([N, plan.chunk, plan.P, outIndex]));
  const dispatches = [
    makeDispatch(gpu, { kernel: partialsKernel, buffers: [scratch, x], uniform, workgroups: grid1d(gpu, plan.P, 1) }),
    makeDispatch(gpu, { kernel: finalKernel, buffers: [out, scratch], uniform, workgroups: [1] }),
  ];
  const release = () => {
    if (!opts.scratch) scratch.destroy();
    uniform.destroy();
  };
  return { dispatches, plan, scratch, release };
}

/** out[0] = Σ x over N floats in a fixed order (two dispatches). */
export function reduceSum(gpu: Gpu, out: GPUBuffer, x: GPUBuffer, N: number, opts: ReduceOptions = {}): Reduction {
  return reduction(gpu, [reduceSumPartialsKernel, reduceSumFinalKernel], out, x, N, opts);
}

/** out[0] = sqrt(Σ x²) over N floats in a fixed order (two dispatches): the global gradient norm. */
export function reduceNorm(gpu: Gpu, out: GPUBuffer, x: GPUBuffer, N: number, opts: ReduceOptions = {}): Reduction {
  return reduction(gpu, [reduceNormPartialsKernel, reduceNormFinalKernel], out, x, N, opts);
}
