// CPU reference (the spec) for shaders/adamw.wgsl, float64: PyTorch's AdamW after clip_grad_norm_.

/** One step's hyperparameters (docs/kernels.md). `step` is t, counted from 1. */
export interface AdamwHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  maxNorm: number;
}

/** One tensor of the flat parameter buffer, in floats; a table lists them contiguously from offset 0. */
export interface TensorRange {
  offset: number;
  length: number;
  decay: boolean;
}

/** Throws unless `table` is sorted, contiguous and covers exactly [0, N). Zero-length tensors are allowed. */
export function assertTensorTable(table: readonly TensorRange[], N: number): void {
  let next = 0;
  for (const [k, r] of table.entries()) {
    if (!(Number.isInteger(r.offset) && Number.isInteger(r.length) && r.length >= 0)) throw new RangeError(`adamw: tensor ${k} has offset ${r.offset}, length ${r.length}`);
    if (r.offset !== next) throw new RangeError(`adamw: tensor ${k} starts at ${r.offset}, expected ${next} (the table must be contiguous and sorted)`);
    next += r.length;
  }
  if (next !== N) throw new RangeError(`adamw: the tensor table covers ${next} floats, the buffer has N=${N}`);
}

/** The per-element decay flags that a tensor table stands for. */
export function decayMask(table: readonly TensorRange[], N: number): boolean[] {
  assertTensorTable(table, N);
  const mask = new Array<boolean>(N);
  for (const r of table) mask.fill(r.decay, r.offset, r.offset + r.length);
  return mask;
}

/**
 * clip = min(1, maxNorm / (gradNorm[0] + 1e-6)); g = grads * clip; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
 * p *= 1 - lr wd where decay[i]; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps). Updates params, m, v.
 */
export function adamwStep(
  params: Float64Array,
  m: Float64Array,
  v: Float64Array,
  grads: ArrayLike<number>,
  gradNorm: ArrayLike<number>,
  decay: ArrayLike<boolean>,
  N: number,
  hp: AdamwHyper,
): void {
  const { lr, beta1, beta2, eps, weightDecay, step, maxNorm } = hp;
  const clip = Math.min(1, maxNorm / (gradNorm[0] + 1e-6));
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < N; i++) {
    const g = grads[i] * clip;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    if (decay[i]) params[i] *= 1 - lr * weightDecay;
    params[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
  }
}
