// The activation layout both engines allocate: one owner for every buffer's name and size (in floats).
// Shapes beside each (style: `B T C NH HS F V`).
import type { ModelConfig } from '../model/config';

/** Activations of one layer, kept for backward. */
export function layerActivationSizes(B: number, T: number, cfg: ModelConfig) {
  const { C, NH, F } = cfg;
  const BT = B * T;
  return {
    n1: BT * C, n1Mean: BT, n1Rstd: BT, // norm1 output (BT,C), its mean and rstd (BT)
    qkv: BT * 3 * C, qkvr: BT * 3 * C, // (B,T,3,NH,HS) before / after RoPE
    att: BT * C, lse: B * NH * T, // attention output (B,T,NH,HS), logsumexp (B,NH,T)
    attProj: BT * C, xMid: BT * C, // att · wo^T, residual after attention (BT,C)
    n2: BT * C, n2Mean: BT, n2Rstd: BT, // norm2 output (BT,C)
    gu: BT * 2 * F, h: BT * F, mlp: BT * C, // [gate | up] (BT,2F), silu(gate)*up (BT,F), h · wdown^T
  };
}

/** Activations and backward scratch outside the layers. */
export function modelActivationSizes(B: number, T: number, cfg: ModelConfig) {
  const { C, F, V } = cfg;
  const BT = B * T;
  return {
    nf: BT * C, nfMean: BT, nfRstd: BT, // final norm (BT,C)
    logits: BT * V, losses: BT, loss: 1, // (BT,V), weighted per-token losses (BT), their sum
    dlogits: BT * V, dres: BT * C, dn: BT * C, // residual-stream gradient, norm-output gradient
    datt: BT * C, dqkvr: BT * 3 * C, dqkv: BT * 3 * C, dh: BT * F, dgu: BT * 2 * F,
  };
}

export type LayerActivationName = keyof ReturnType<typeof layerActivationSizes>;
export type ModelActivationName = keyof ReturnType<typeof modelActivationSizes>;

/** Allocates every entry of a size table with `make(floats, name)`. */
export function allocateEach<K extends string, A>(sizes: Record<K, number>, make: (floats: number, name: K) => A): Record<K, A> {
  const out = {} as Record<K, A>;
  for (const name of Object.keys(sizes) as K[]) out[name] = make(sizes[name], name);
  return out;
}

/** Total activation floats for a (B, T) batch: the memory estimate's activation term. */
export function activationFloats(B: number, T: number, cfg: ModelConfig): number {
  const sum = (sizes: Record<string, number>) => Object.values(sizes).reduce((a, b) => a + b, 0);
  return cfg.L * sum(layerActivationSizes(B, T, cfg)) + sum(modelActivationSizes(B, T, cfg)) + (cfg.L + 1) * B * T * cfg.C;
}
