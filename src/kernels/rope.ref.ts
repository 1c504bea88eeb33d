// CPU reference (the spec) for shaders/rope.wgsl, float64. qkv is (B, T, 3, NH, HS); q and k are rotated
// with the HF Llama rotate_half convention: for i < HS/2, angle = t * theta^(-2i/HS),
//   out[i]        = x[i] cos - x[i + HS/2] sin
//   out[i + HS/2] = x[i + HS/2] cos + x[i] sin
// and v is copied.

function rotateAll(
  out: Float64Array, inp: ArrayLike<number>, B: number, T: number, NH: number, HS: number, theta: number, sign: number,
): void {
  const half = HS / 2;
  const C = NH * HS;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let slot = 0; slot < 3; slot++) {
        for (let h = 0; h < NH; h++) {
          const base = ((b * T + t) * 3 + slot) * C + h * HS;
          for (let i = 0; i < half; i++) {
            const x1 = inp[base + i];
            const x2 = inp[base + i + half];
            if (slot === 2) {
              out[base + i] = x1;
              out[base + i + half] = x2;
              continue;
            }
            const angle = t * theta ** ((-2 * i) / HS);
            const cos = Math.cos(angle);
            const sin = sign * Math.sin(angle);
            out[base + i] = x1 * cos - x2 * sin;
            out[base + i + half] = x2 * cos + x1 * sin;
          }
        }
      }
    }
  }
}

/** qkvr (B,T,3,NH,HS): q and k rotated by angle t * theta^(-2i/HS), v copied. */
export function ropeForward(
  qkvr: Float64Array, qkv: ArrayLike<number>, B: number, T: number, NH: number, HS: number, theta = 10000,
): void {
  rotateAll(qkvr, qkv, B, T, NH, HS, theta, 1);
}

/** dqkv (B,T,3,NH,HS): the transpose of ropeForward (each rotation is orthogonal: rotate by -angle), dv copied. */
export function ropeBackward(
  dqkv: Float64Array, dqkvr: ArrayLike<number>, B: number, T: number, NH: number, HS: number, theta = 10000,
): void {
  rotateAll(dqkv, dqkvr, B, T, NH, HS, theta, -1);
}
