// Registry of kernels, one line each: every kernel's source (for preparing pipelines) and its self-test.
import type { Gpu } from '../gpu/adapter';
import type { KernelSource } from '../gpu/pipelines';
import { freshSeed, type Comparison } from './check';
import { residualForwardKernel } from './residual';
import { checkResidualForward } from './residual.selftest';

export const allKernels: KernelSource[] = [
  residualForwardKernel,
];

export interface KernelSelfTest {
  kernel: string;
  run: (gpu: Gpu) => Promise<Comparison>;
}

export const kernelSelfTests: KernelSelfTest[] = [
  { kernel: 'residual_forward', run: (gpu) => checkResidualForward(gpu, 1000, freshSeed()) },
];
