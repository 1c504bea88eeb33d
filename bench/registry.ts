// Registry of kernel benchmarks, one line per kernel (like src/kernels/index.ts): run by bench/kernels.ts.
import type { KernelBench } from '../src/kernels/bench';
import { adamwBenches } from '../src/kernels/adamw.bench';
import { attentionBenches } from '../src/kernels/attention.bench';
import { copyBenches } from '../src/kernels/copy.bench';
import { crossentropyBenches } from '../src/kernels/crossentropy.bench';
import { embeddingBenches } from '../src/kernels/embedding.bench';
import { matmulBenches } from '../src/kernels/matmul.bench';
import { normBenches } from '../src/kernels/norm.bench';
import { reduceBenches } from '../src/kernels/reduce.bench';
import { residualBenches } from '../src/kernels/residual.bench';
import { ropeBenches } from '../src/kernels/rope.bench';
import { swigluBenches } from '../src/kernels/swiglu.bench';

export const kernelBenches: KernelBench[] = [
  ...copyBenches,
  ...residualBenches,
  ...matmulBenches,
  ...attentionBenches,
  ...normBenches,
  ...ropeBenches,
  ...swigluBenches,
  ...embeddingBenches,
  ...crossentropyBenches,
  ...reduceBenches,
  ...adamwBenches,
];
