// CPU reference (the spec) for shaders/embedding.wgsl, float64. tokens are u32 ids < V.

/** x (BT,C) = wte[tokens] (wte (V,C), V = wte.length / C). */
export function embeddingForward(x: Float64Array, tokens: ArrayLike<number>, wte: ArrayLike<number>, BT: number, C: number): void {
  const V = Math.floor(wte.length / C);
  for (let i = 0; i < BT; i++) {
    const token = tokens[i];
    if (!(token >= 0 && token < V)) throw new RangeError(`embeddingForward: token ${token} at ${i} outside [0, ${V})`);
    for (let c = 0; c < C; c++) x[i * C + c] = wte[token * C + c];
  }
}

/** dwte (V,C) overwritten: dwte[v] = sum over i with tokens[i] = v of dx[i], in token order (the GPU adds in token order within fixed segments, then the segments in order: the same sum, rounded in a fixed order). */
export function embeddingBackward(
  dwte: Float64Array, dx: ArrayLike<number>, tokens: ArrayLike<number>, BT: number, V: number, C: number,
): void {
  dwte.fill(0, 0, V * C);
  for (let i = 0; i < BT; i++) {
    const token = tokens[i];
    if (!(token >= 0 && token < V)) throw new RangeError(`embeddingBackward: token ${token} at ${i} outside [0, ${V})`);
    for (let c = 0; c < C; c++) dwte[token * C + c] += dx[i * C + c];
  }
}
