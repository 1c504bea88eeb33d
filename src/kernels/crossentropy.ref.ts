// CPU reference (the spec) for shaders/crossentropy.wgsl, float64. Rows of V logits, row-major (BT, V).

/** Natural-log logsumexp of logits[base .. base+V), with the row max subtracted first. */
function rowLogSumExp(logits: ArrayLike<number>, base: number, V: number): { max: number; lse: number } {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, logits[base + j]);
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(logits[base + j] - max);
  return { max, lse: max + Math.log(sum) };
}

function checkTarget(t: number, V: number, row: number): void {
  if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new RangeError(`crossentropy: target ${t} of row ${row} is outside [0, ${V})`);
}

/** losses[i] = weights[i] * (logsumexp(logits_i) - logits_i[targets_i]). Outputs, inputs, sizes. */
export function crossentropyForward(
  losses: Float64Array,
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  BT: number,
  V: number,
): void {
  for (let i = 0; i < BT; i++) {
    const base = i * V;
    const t = targets[i];
    checkTarget(t, V, i);
    const { max, lse } = rowLogSumExp(logits, base, V);
    losses[i] = weights[i] * (max - logits[base + t] + (lse - max));
  }
}

/** dlogits[i, j] = weights[i] * (softmax(logits_i)[j] - [j == targets_i]) (overwrites). */
export function crossentropyBackward(
  dlogits: Float64Array,
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  BT: number,
  V: number,
): void {
  for (let i = 0; i < BT; i++) {
    const base = i * V;
    const t = targets[i];
    checkTarget(t, V, i);
    const { lse } = rowLogSumExp(logits, base, V);
    for (let j = 0; j < V; j++) dlogits[base + j] = weights[i] * (Math.exp(logits[base + j] - lse) - (j === t ? 1 : 0));
  }
}
