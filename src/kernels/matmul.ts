// GPU wrappers for shaders/matmul.wgsl. Same names and argument order as matmul.ref.ts (outputs, inputs,
// sizes). Each wrapper plans its shape (matmulPlanFor: tile config, split reduction) and returns its
// dispatches (one, or two with a split). Every pipeline is compiled up front by prepareMatmul (or from
// matmulVariants), then dispatches are built.
import code from '../../shaders/matmul.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { createBuffer, packUniform } from '../gpu/buffers';
import { assertHolds, bindingBytes, grid1d, groups, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource, Overrides } from '../gpu/pipelines';

export const matmulForwardKernel: KernelSource = { name: 'matmul_forward', code, entryPoint: 'matmul_forward' };
export const matmulBackwardInputKernel: KernelSource = { name: 'matmul_backward_input', code, entryPoint: 'matmul_backward_input' };
export const matmulBackwardWeightKernel: KernelSource = { name: 'matmul_backward_weight', code, entryPoint: 'matmul_backward_weight' };
export const matmulKernels: KernelSource[] = [matmulForwardKernel, matmulBackwardInputKernel, matmulBackwardWeightKernel];
/** Adds the partial products of a split reduction in a fixed order (bindings: out, partials, sizes). */
export const matmulReduceSplitsKernel: KernelSource = { name: 'matmul_reduce_splits', code, entryPoint: 'matmul_reduce_splits' };

/** Tile shape (the shader's `override` constants): BM x BN outputs per workgroup, TM x TN per thread. */
export interface MatmulConfig {
  BM: number;
  BN: number;
  BK: number;
  TM: number;
  TN: number;
  /** 2: double-buffered workgroup tiles (one barrier per slice); 1: single buffer (two barriers). */
  NBUF: number;
  /** 0 turns off the unchecked loads of slices inside the matrices (for A/B timing); default 1. */
  INTERIOR?: number;
  /** 0 turns off vec4 loads of aligned inputs (for A/B timing); default 1. */
  VEC?: number;
}

/** The configurations the wrappers choose from (timed on an H200 through Dawn, see matmul.bench.ts). */
export const MATMUL_CONFIGS = {
  large: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, NBUF: 1 },
  /** Double buffered: the forward's large tile (H200: 36.5 TFLOP/s against 32.3 single buffered at 8192 x
   *  768 -> 2304, four runs); the backward layouts are faster single buffered (dw 35.5 against 30.2). */
  largeForward: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, NBUF: 2 },
  medium: { BM: 64, BN: 64, BK: 8, TM: 8, TN: 8, NBUF: 2 },
  small: { BM: 32, BN: 32, BK: 8, TM: 4, TN: 4, NBUF: 2 },
} satisfies Record<string, MatmulConfig>;

/** A config and how many pieces the reduction is split into (1: none; else partials + matmul_reduce_splits). */
export interface MatmulPlan {
  config: MatmulConfig;
  splits: number;
}

/** Workgroups a grid should have to fill a big GPU (about two per multiprocessor). */
const FILL_WORKGROUPS = 256;
/**
 * Workgroups a split reduction aims for: several waves, so a last wave that runs part-empty costs little
 * (H200, dw of 8192 tokens x 768 -> 3072: 2 splits 27.9-29.1 TFLOP/s, 8 splits 36.8-38.1). Pieces of at
 * least MIN_SPLIT_R keep the partials' traffic small (dw 768 -> 256: 16 splits 26.4, 32 splits 23.7); the
 * lab's dw (4096 tokens, 64 x 128 outputs) takes 13.1 us with 32 splits against 17.0 us with 16.
 */
const SPLIT_FILL_WORKGROUPS = 1024;
/** Reductions at least this long may be split, into pieces of at least MIN_SPLIT_R. */
const SPLIT_FROM_R = 1024;
const MIN_SPLIT_R = 256;
/** Outputs this small have cheap partials: their pieces may be as short as SMALL_OUTPUT_MIN_SPLIT_R. */
const SMALL_OUTPUT = 65536;
const SMALL_OUTPUT_MIN_SPLIT_R = 128;
const MAX_SPLITS = 64;

export function matmulOverrides(config: MatmulConfig): Overrides {
  return { ...config };
}

export function matmulThreads(config: MatmulConfig): number {
  return (config.BM / config.TM) * (config.BN / config.TN);
}

/** Checks what the shader assumes of its overrides; throws with the config named. */
export function validateMatmulConfig(config: MatmulConfig): void {
  const { BM, BN, BK, TM, TN, NBUF } = config;
  const threads = matmulThreads(config);
  const fail = (why: string) => new Error(`matmul config ${JSON.stringify(config)}: ${why}`);
  if (TM % 4 || TN % 4 || TM > 16 || TN > 16 || TM * TN > 256) throw fail('TM, TN must be multiples of 4, at most 16');
  if (BM % TM || BN % TN) throw fail('BM, BN must be multiples of TM, TN');
  if ((BM * BK) % threads || (BN * BK) % threads) throw fail('BM*BK and BN*BK must be multiples of the thread count');
  if ((BM * BK) / threads > 16 || (BN * BK) / threads > 16) throw fail('at most 16 loads per thread per slice');
  if (NBUF !== 1 && NBUF !== 2) throw fail('NBUF must be 1 or 2');
  if (BK % 4 || BM % 4 || BN % 4) throw fail('BK, BM and BN must be multiples of 4 (vec4 fetches and staging)');
}

/** Bytes of workgroup memory a config uses (must fit maxComputeWorkgroupStorageSize). */
export function matmulSharedBytes({ BM, BN, BK, NBUF }: MatmulConfig): number {
  return NBUF * BK * (BM + 4 + BN + 4) * 4;
}

/** Every (kernel, overrides) pair the wrappers may dispatch: what must be prepared before use. */
export function matmulVariants(configs: MatmulConfig[] = Object.values(MATMUL_CONFIGS)): { kernel: KernelSource; overrides: Overrides }[] {
  return [
    ...matmulKernels.flatMap((kernel) => configs.map((c) => ({ kernel, overrides: matmulOverrides(c) }))),
    { kernel: matmulReduceSplitsKernel, overrides: {} },
  ];
}

/** Compiles every matmul pipeline the wrappers may use on this device (or those of the given configs). */
export async function prepareMatmul(gpu: Gpu, given?: MatmulConfig[]): Promise<void> {
  const limit = gpu.adapter.limits.maxComputeWorkgroupStorageSize;
  const configs = given ?? Object.values(MATMUL_CONFIGS).filter((c) => matmulSharedBytes(c) <= limit);
  for (const config of configs) {
    validateMatmulConfig(config);
    if (matmulSharedBytes(config) > limit) throw new Error(`matmul config ${JSON.stringify(config)}: ${matmulSharedBytes(config)} bytes of workgroup memory, the device allows ${limit}`);
  }
  // One at a time: Chrome's GPU process stalls on many concurrent compilations (seen with SwiftShader).
  for (const { kernel, overrides } of matmulVariants(configs)) await gpu.pipelines.prepare(kernel, overrides);
}

function tiles(config: MatmulConfig, P: number, Q: number): number {
  return groups(P, config.BM) * groups(Q, config.BN);
}

/** Splits that bring a grid of `config` tiles up to SPLIT_FILL_WORKGROUPS, for reductions of SPLIT_FROM_R or more. */
export function matmulSplitsFor(config: MatmulConfig, P: number, Q: number, R: number): number {
  if (R < SPLIT_FROM_R) return 1;
  const wanted = Math.ceil(SPLIT_FILL_WORKGROUPS / Math.max(1, tiles(config, P, Q)));
  const minPiece = P * Q <= SMALL_OUTPUT ? SMALL_OUTPUT_MIN_SPLIT_R : MIN_SPLIT_R;
  return Math.max(1, Math.min(wanted, Math.floor(R / minPiece), MAX_SPLITS));
}

type Mode = 'forward' | 'backward_input' | 'backward_weight';

/**
 * The plan for product `mode` with an output of P x Q summing over R: large tiles when they fill the GPU
 * (dx with a split reduction up to SPLIT_FILL_WORKGROUPS); else, for long reductions, the largest tile with at least 16 workgroups and a split reduction; else
 * smaller tiles. `sharedBytes`: the device's workgroup memory (the forward's double-buffered large tile needs
 * 16.5 KiB, over WebGPU's default 16 KiB: there the single-buffered one runs).
 */
export function matmulPlanFor(mode: Mode, P: number, Q: number, R: number, sharedBytes = Infinity): MatmulPlan {
  const { medium, small, largeForward } = MATMUL_CONFIGS;
  const large = mode === 'forward' && matmulSharedBytes(largeForward) <= sharedBytes ? largeForward : MATMUL_CONFIGS.large;
  if (tiles(large, P, Q) >= FILL_WORKGROUPS) {
    // dx fills its waves by splitting, like dw (H200, 8192 tokens x 768 <- 2304: 384 tiles unsplit 29.2
    // TFLOP/s in three runs, 3 splits 31.7 and 31.9 in two). The forward's double-buffered tile runs its
    // 384-tile grids at 34.5k unsplit.
    return { config: large, splits: mode === 'backward_input' ? matmulSplitsFor(large, P, Q, R) : 1 };
  }
  if (R >= SPLIT_FROM_R) {
    const config = [large, medium].find((c) => tiles(c, P, Q) >= 16) ?? small;
    return { config, splits: matmulSplitsFor(config, P, Q, R) };
  }
  return { config: tiles(medium, P, Q) >= FILL_WORKGROUPS ? medium : small, splits: 1 };
}

const KERNEL_OF: Record<Mode, KernelSource> = {
  forward: matmulForwardKernel,
  backward_input: matmulBackwardInputKernel,
  backward_weight: matmulBackwardWeightKernel,
};

/** Output (P x Q) and reduction length R of each product: y (M,N) over K, dx (M,K) over N, dw (N,K) over M. */
export function matmulDims(mode: Mode, M: number, K: number, N: number): { P: number; Q: number; R: number } {
  if (mode === 'forward') return { P: M, Q: N, R: K };
  if (mode === 'backward_input') return { P: M, Q: K, R: N };
  return { P: N, Q: K, R: M };
}

/** Each layout's out, a, b: their names and shapes, y/dy (M,N), x/dx (M,K), w/dw (N,K). */
const OPERANDS: Record<Mode, [string, 'MN' | 'MK' | 'NK'][]> = {
  forward: [['y', 'MN'], ['x', 'MK'], ['w', 'NK']],
  backward_input: [['dx', 'MK'], ['dy', 'MN'], ['w', 'NK']],
  backward_weight: [['dw', 'NK'], ['dy', 'MN'], ['x', 'MK']],
};

/**
 * The dispatches of one product in any layout, with the shape's plan or parts of one given (tests, sweeps).
 * A split plan allocates its partials buffer here, once: it lives as long as the returned dispatches.
 */
export function matmulDispatch(
  gpu: Gpu,
  mode: Mode,
  out: GpuTensor,
  a: GpuTensor,
  b: GpuTensor,
  M: number,
  K: number,
  N: number,
  plan: Partial<MatmulPlan> = {},
): Dispatch[] {
  for (const [name, v] of Object.entries({ M, K, N })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`matmul_${mode}: ${name}=${v} must be a non-negative integer`);
  }
  const label = `matmul_${mode}`;
  const shapes = { MN: { M, N }, MK: { M, K }, NK: { N, K } };
  const tensors = [out, a, b];
  OPERANDS[mode].forEach(([name, dims], i) => {
    const shape = shapes[dims];
    const [rows, cols] = Object.values(shape);
    assertHolds(label, name, tensors[i], rows * cols, shape);
  });
  const { P, Q, R } = matmulDims(mode, M, K, N);
  const auto = matmulPlanFor(mode, P, Q, R, gpu.adapter.limits.maxComputeWorkgroupStorageSize);
  const config = plan.config ?? auto.config;
  const splits = plan.splits ?? (plan.config ? matmulSplitsFor(config, P, Q, R) : auto.splits);
  const chunk = Math.max(config.BK, Math.ceil(R / splits / config.BK) * config.BK);
  const partials = splits > 1 ? createBuffer(gpu, `${label}:partials`, splits * P * Q * 4) : undefined;
  const owns: GPUBuffer[] = [];
  const product = makeDispatch(gpu, {
    kernel: KERNEL_OF[mode],
    overrides: matmulOverrides(config),
    buffers: [partials ?? out, a, b, vec4View(gpu, a, owns), vec4View(gpu, b, owns)],
    uniform: packUniform([M, K, N, chunk]),
    workgroups: [groups(Q, config.BN), groups(P, config.BM), splits],
  });
  product.owns.push(...owns);
  if (!partials) return [product];
  product.owns.push(partials);
  const reduce = makeDispatch(gpu, {
    kernel: matmulReduceSplitsKernel,
    buffers: [out, partials],
    uniform: packUniform([P * Q, splits]),
    workgroups: grid1d(gpu, P * Q, 256),
    label: `${label}:reduce_splits`,
  });
  return [product, reduce];
}

/**
 * The input again for the shader's vec4-typed binding. A binding of under 16 bytes cannot back an array of
 * vec4s; the shader never reads it then (an input that small has no aligned rows), so a 16-byte stand-in
 * (added to `owns`) takes its place.
 */
function vec4View(gpu: Gpu, t: GpuTensor, owns: GPUBuffer[]): GpuTensor {
  if (bindingBytes(t) >= 16) return t;
  const standIn = createBuffer(gpu, 'matmul:vec4-stand-in', 16);
  owns.push(standIn);
  return standIn;
}

/** y (M,N) = x (M,K) · w (N,K)^T. */
export function matmulForward(gpu: Gpu, y: GpuTensor, x: GpuTensor, w: GpuTensor, M: number, K: number, N: number): Dispatch[] {
  return matmulDispatch(gpu, 'forward', y, x, w, M, K, N);
}

/** dx (M,K) = dy (M,N) · w (N,K), overwriting dx. */
export function matmulBackwardInput(gpu: Gpu, dx: GpuTensor, dy: GpuTensor, w: GpuTensor, M: number, K: number, N: number): Dispatch[] {
  return matmulDispatch(gpu, 'backward_input', dx, dy, w, M, K, N);
}

/** dw (N,K) = dy (M,N)^T · x (M,K), overwriting dw. Long reductions over tokens (M) are split. */
export function matmulBackwardWeight(gpu: Gpu, dw: GpuTensor, dy: GpuTensor, x: GpuTensor, M: number, K: number, N: number): Dispatch[] {
  return matmulDispatch(gpu, 'backward_weight', dw, dy, x, M, K, N);
}

export type MatmulMode = Mode;

/**
 * The tile configs matmulPlanFor picks for products with M rows (tokens) from 1 to maxM, for each (K, N)
 * weight shape: what an engine must prepare. Compiling only these keeps start-up short (a large-tile
 * variant can take minutes to compile on a software adapter, and a small model never uses it).
 */
export function matmulConfigsFor(weightShapes: readonly [K: number, N: number][], maxM: number, sharedBytes = Infinity): MatmulConfig[] {
  const used = new Set<MatmulConfig>();
  const modes: Mode[] = ['forward', 'backward_input', 'backward_weight'];
  for (let M = 1; M <= maxM; M++) {
    for (const [K, N] of weightShapes) {
      for (const mode of modes) {
        const { P, Q, R } = matmulDims(mode, M, K, N);
        used.add(matmulPlanFor(mode, P, Q, R, sharedBytes).config);
      }
    }
  }
  return [...used];
}
