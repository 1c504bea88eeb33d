// Registry of kernels, one line each: every kernel's sources (for preparing pipelines) and its self-test.
import type { Gpu } from '../gpu/adapter';
import type { KernelSource } from '../gpu/pipelines';
import { adamwKernels } from './adamw';
import { checkAdamwStep } from './adamw.selftest';
import { attentionBackwardKernel, attentionForwardKernel } from './attention';
import { checkAttentionBackward, checkAttentionForward } from './attention.selftest';
import { freshSeed, type Comparison } from './check';
import { copyForwardKernel } from './copy';
import { crossentropyKernels } from './crossentropy';
import { checkCrossentropyBackward, checkCrossentropyForward } from './crossentropy.selftest';
import { embeddingKernels } from './embedding';
import { checkEmbedding } from './embedding.selftest';
import { matmulKernels, matmulReduceSplitsKernel } from './matmul';
import { checkMatmul } from './matmul.selftest';
import { normKernels } from './norm';
import { checkNorm } from './norm.selftest';
import { reduceKernels } from './reduce';
import { checkReduceNorm, checkReduceSum } from './reduce.selftest';
import { residualForwardKernel } from './residual';
import { checkResidualForward } from './residual.selftest';
import { ropeKernels } from './rope';
import { checkRope } from './rope.selftest';
import { swigluKernels } from './swiglu';
import { checkSwiglu } from './swiglu.selftest';

/** Kernels at their default overrides (matmul and attention also prepare tuned variants: prepareMatmul,
 *  prepareAttention). */
export const allKernels: KernelSource[] = [
  residualForwardKernel,
  copyForwardKernel,
  ...matmulKernels,
  matmulReduceSplitsKernel,
  attentionForwardKernel,
  attentionBackwardKernel,
  ...normKernels,
  ...ropeKernels,
  ...swigluKernels,
  ...embeddingKernels,
  ...crossentropyKernels,
  ...reduceKernels,
  ...adamwKernels,
];

export interface KernelSelfTest {
  kernel: string;
  run: (gpu: Gpu) => Promise<Comparison>;
}

export const kernelSelfTests: KernelSelfTest[] = [
  { kernel: 'residual_forward', run: (gpu) => checkResidualForward(gpu, 1000, freshSeed()) },
  { kernel: 'matmul_forward', run: (gpu) => checkMatmul(gpu, 'forward', 33, 65, 17, freshSeed()) },
  { kernel: 'matmul_backward_input', run: (gpu) => checkMatmul(gpu, 'backward_input', 33, 65, 17, freshSeed()) },
  { kernel: 'matmul_backward_weight', run: (gpu) => checkMatmul(gpu, 'backward_weight', 1100, 24, 40, freshSeed()) },
  { kernel: 'attention_forward', run: (gpu) => checkAttentionForward(gpu, { B: 2, T: 33, NH: 2, HS: 16 }, freshSeed()) },
  { kernel: 'attention_backward', run: (gpu) => checkAttentionBackward(gpu, { B: 2, T: 33, NH: 2, HS: 16 }, freshSeed()) },
  { kernel: 'norm', run: (gpu) => checkNorm(gpu, { BT: 33, C: 65, centered: false }, freshSeed()) },
  { kernel: 'rope', run: (gpu) => checkRope(gpu, { B: 2, T: 33, NH: 3, HS: 8 }, freshSeed()) },
  { kernel: 'swiglu', run: (gpu) => checkSwiglu(gpu, 33, 172, freshSeed()) },
  { kernel: 'embedding', run: (gpu) => checkEmbedding(gpu, { BT: 600, V: 128, C: 64 }, freshSeed()) },
  { kernel: 'crossentropy_forward', run: (gpu) => checkCrossentropyForward(gpu, 37, 130, freshSeed()) },
  { kernel: 'crossentropy_backward', run: (gpu) => checkCrossentropyBackward(gpu, 37, 130, freshSeed()) },
  { kernel: 'reduce_sum', run: (gpu) => checkReduceSum(gpu, 5000, freshSeed()) },
  { kernel: 'reduce_norm', run: (gpu) => checkReduceNorm(gpu, 5000, freshSeed()) },
  { kernel: 'adamw_step', run: (gpu) => checkAdamwStep(gpu, freshSeed()) },
];
