// CPU reference (the spec) for shaders/norm.wgsl, float64. RMSNorm (centered = false, the paper's) and
// LayerNorm without bias (centered = true): xhat = (x - mean) * rstd, y = xhat * gain, where mean = 0 for
// RMSNorm and rstd = 1 / sqrt(mean((x - mean)^2) + eps).

/** y (BT,C), mean (BT), rstd (BT) from x (BT,C) and gain (C). */
export function normForward(
  y: Float64Array, mean: Float64Array, rstd: Float64Array, x: ArrayLike<number>, gain: ArrayLike<number>,
  BT: number, C: number, centered: boolean, eps: number,
): void {
  for (let i = 0; i < BT; i++) {
    const base = i * C;
    let m = 0;
    if (centered) {
      for (let c = 0; c < C; c++) m += x[base + c];
      m /= C;
    }
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[base + c] - m) ** 2;
    const r = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) y[base + c] = (x[base + c] - m) * r * gain[c];
    mean[i] = m;
    rstd[i] = r;
  }
}

/**
 * dx (BT,C) += dL/dx (accumulates: the residual stream's gradient); dgain (C) overwritten with
 * sum over rows of dy * xhat. With g = dy * gain: dx += rstd * (g - [centered] mean(g) - xhat * mean(g * xhat)).
 */
export function normBackward(
  dx: Float64Array, dgain: Float64Array, dy: ArrayLike<number>, x: ArrayLike<number>, gain: ArrayLike<number>,
  mean: ArrayLike<number>, rstd: ArrayLike<number>, BT: number, C: number, centered: boolean,
): void {
  dgain.fill(0, 0, C);
  for (let i = 0; i < BT; i++) {
    const base = i * C;
    const m = mean[i];
    const r = rstd[i];
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < C; c++) {
      const g = dy[base + c] * gain[c];
      sumG += g;
      sumGX += g * (x[base + c] - m) * r;
    }
    const meanG = centered ? sumG / C : 0;
    const meanGX = sumGX / C;
    for (let c = 0; c < C; c++) {
      const xh = (x[base + c] - m) * r;
      dx[base + c] += r * (dy[base + c] * gain[c] - meanG - xh * meanGX);
      dgain[c] += dy[base + c] * xh;
    }
  }
}
