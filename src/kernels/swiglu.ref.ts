// CPU reference (the spec) for shaders/swiglu.wgsl, float64. gu rows (BT, 2F) are [gate | up];
// h = silu(gate) * up, silu(a) = a * sigmoid(a).

function sigmoid(a: number): number {
  return 1 / (1 + Math.exp(-a));
}

/** h (BT,F) = silu(gate) * up. */
export function swigluForward(h: Float64Array, gu: ArrayLike<number>, BT: number, F: number): void {
  for (let i = 0; i < BT; i++) {
    for (let j = 0; j < F; j++) {
      const a = gu[i * 2 * F + j];
      h[i * F + j] = a * sigmoid(a) * gu[i * 2 * F + F + j];
    }
  }
}

/** dgu (BT,2F) overwritten: dgate = dh * up * silu'(gate), dup = dh * silu(gate); silu'(a) = s (1 + a (1 - s)). */
export function swigluBackward(dgu: Float64Array, dh: ArrayLike<number>, gu: ArrayLike<number>, BT: number, F: number): void {
  for (let i = 0; i < BT; i++) {
    for (let j = 0; j < F; j++) {
      const a = gu[i * 2 * F + j];
      const u = gu[i * 2 * F + F + j];
      const s = sigmoid(a);
      const d = dh[i * F + j];
      dgu[i * 2 * F + j] = d * u * s * (1 + a * (1 - s));
      dgu[i * 2 * F + F + j] = d * a * s;
    }
  }
}
