// CPU reference (the spec) for shaders/reduce.wgsl, float64. The GPU's order differs (two fixed passes); the
// float64 sum is the value both are judged against.

/** out[0] = Σ x. Outputs, inputs, sizes. */
export function reduceSum(out: Float64Array, x: ArrayLike<number>, N: number): void {
  let sum = 0;
  for (let i = 0; i < N; i++) sum += x[i];
  out[0] = sum;
}

/** out[0] = sqrt(Σ x²): the global gradient norm. */
export function reduceNorm(out: Float64Array, x: ArrayLike<number>, N: number): void {
  let sum = 0;
  for (let i = 0; i < N; i++) sum += x[i] * x[i];
  out[0] = Math.sqrt(sum);
}
