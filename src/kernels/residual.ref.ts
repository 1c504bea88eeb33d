// CPU reference (the spec) for shaders/residual.wgsl, float64.

/** y = a + b. Outputs, inputs, sizes. */
export function residualForward(y: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, N: number): void {
  for (let i = 0; i < N; i++) y[i] = a[i] + b[i];
}
