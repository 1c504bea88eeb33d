// CPU reference (the spec) for shaders/attention.wgsl, float64: causal multi-head self-attention.
// qkvr (B,T,3,NH,HS): q at offset 0, k at C, v at 2C within each token row of 3C (C = NH*HS).
// out (B,T,NH,HS); lse (B,NH,T) = natural-log logsumexp of the scaled scores s_tj = q_t.k_j / sqrt(HS), j <= t.

function qkvAt(b: number, t: number, part: number, h: number, T: number, NH: number, HS: number): number {
  return ((b * T + t) * 3 + part) * NH * HS + h * HS;
}

function dot(x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number, n: number): number {
  let s = 0;
  for (let d = 0; d < n; d++) s += x[i + d] * y[j + d];
  return s;
}

/** Scaled causal scores of query t against keys 0..t. */
function scores(qkvr: ArrayLike<number>, b: number, t: number, h: number, T: number, NH: number, HS: number): Float64Array {
  const scale = 1 / Math.sqrt(HS);
  const s = new Float64Array(t + 1);
  const q = qkvAt(b, t, 0, h, T, NH, HS);
  for (let j = 0; j <= t; j++) s[j] = dot(qkvr, q, qkvr, qkvAt(b, j, 1, h, T, NH, HS), HS) * scale;
  return s;
}

/** out = softmax(causal scores) v per head; lse saved for the backward. Outputs, inputs, sizes. */
export function attentionForward(
  out: Float64Array,
  lse: Float64Array,
  qkvr: ArrayLike<number>,
  B: number,
  T: number,
  NH: number,
  HS: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const s = scores(qkvr, b, t, h, T, NH, HS);
        const m = Math.max(...s);
        let l = 0;
        for (let j = 0; j <= t; j++) l += Math.exp(s[j] - m);
        const o = ((b * T + t) * NH + h) * HS;
        for (let d = 0; d < HS; d++) out[o + d] = 0;
        for (let j = 0; j <= t; j++) {
          const p = Math.exp(s[j] - m) / l;
          const v = qkvAt(b, j, 2, h, T, NH, HS);
          for (let d = 0; d < HS; d++) out[o + d] += p * qkvr[v + d];
        }
        lse[(b * NH + h) * T + t] = m + Math.log(l);
      }
    }
  }
}

/**
 * dq, dk, dv into dqkvr (overwritten) from dout, with P = exp(s - lse), D = dout.out, dP = dout.v,
 * dS = P (dP - D): dq = scale dS k, dk = scale dS^T q, dv = P^T dout.
 */
export function attentionBackward(
  dqkvr: Float64Array,
  dout: ArrayLike<number>,
  qkvr: ArrayLike<number>,
  out: ArrayLike<number>,
  lse: ArrayLike<number>,
  B: number,
  T: number,
  NH: number,
  HS: number,
): void {
  const scale = 1 / Math.sqrt(HS);
  dqkvr.fill(0, 0, B * T * 3 * NH * HS);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const s = scores(qkvr, b, t, h, T, NH, HS);
        const o = ((b * T + t) * NH + h) * HS;
        const D = dot(dout, o, out, o, HS);
        const L = lse[(b * NH + h) * T + t];
        const q = qkvAt(b, t, 0, h, T, NH, HS);
        for (let j = 0; j <= t; j++) {
          const k = qkvAt(b, j, 1, h, T, NH, HS);
          const v = qkvAt(b, j, 2, h, T, NH, HS);
          const p = Math.exp(s[j] - L);
          const ds = p * (dot(dout, o, qkvr, v, HS) - D);
          for (let d = 0; d < HS; d++) {
            dqkvr[q + d] += scale * ds * qkvr[k + d];
            dqkvr[k + d] += scale * ds * qkvr[q + d];
            dqkvr[v + d] += p * dout[o + d];
          }
        }
      }
    }
  }
}
