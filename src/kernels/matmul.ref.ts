// CPU reference (the spec) for shaders/matmul.wgsl, float64. Row-major; outputs, inputs, sizes.

/** y (M,N) = x (M,K) · w (N,K)^T: every projection, PyTorch Linear layout. */
export function matmulForward(y: Float64Array, x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += x[m * K + k] * w[n * K + k];
      y[m * N + n] = sum;
    }
  }
}

/** dx (M,K) = dy (M,N) · w (N,K), overwriting dx. */
export function matmulBackwardInput(dx: Float64Array, dy: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number): void {
  dx.fill(0, 0, M * K);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = dy[m * N + n];
      for (let k = 0; k < K; k++) dx[m * K + k] += g * w[n * K + k];
    }
  }
}

/** dw (N,K) = dy (M,N)^T · x (M,K), overwriting dw. */
export function matmulBackwardWeight(dw: Float64Array, dy: ArrayLike<number>, x: ArrayLike<number>, M: number, K: number, N: number): void {
  dw.fill(0, 0, N * K);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = dy[m * N + n];
      for (let k = 0; k < K; k++) dw[n * K + k] += g * x[m * K + k];
    }
  }
}
