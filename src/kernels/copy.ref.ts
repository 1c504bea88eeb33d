// CPU reference (the spec) for shaders/copy.wgsl, float64.

/** y = x. Outputs, inputs, sizes. */
export function copyForward(y: Float64Array, x: ArrayLike<number>, N: number): void {
  for (let i = 0; i < N; i++) y[i] = x[i];
}
