// The WebGPU engine's plan for one batch shape (B, T): every activation buffer (layout in activations.ts) and
// the flat dispatch lists. Forward mirrors CpuEngine.run line for line; backward is that list reversed
// (CpuEngine.runBackward). Built once per shape and replayed every step.
import type { Gpu } from '../gpu/adapter';
import { createBuffer } from '../gpu/buffers';
import type { Dispatch, GpuTensor } from '../gpu/dispatch';
import { attentionBackward, attentionForward } from '../kernels/attention';
import { crossentropyBackward, crossentropyForward } from '../kernels/crossentropy';
import { embeddingBackward, embeddingBackwardScratchBytes, embeddingForward } from '../kernels/embedding';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from '../kernels/matmul';
import { normBackward, normBackwardScratchBytes, normForward } from '../kernels/norm';
import { reduceSum } from '../kernels/reduce';
import { residualForward } from '../kernels/residual';
import { ropeBackward, ropeForward } from '../kernels/rope';
import { swigluBackward, swigluForward } from '../kernels/swiglu';
import type { ModelConfig } from '../model/config';
import { spec, type ParamTable } from '../model/params';
import { allocateEach, layerActivationSizes, modelActivationSizes } from './activations';

/** Inputs of one step in one buffer: [tokens u32 (BT) | targets u32 (BT) | weights f32 (BT)], each region
 *  padded to 256 bytes (the storage-binding offset alignment), so a step's inputs arrive in one copy. */
export function inputLayout(BT: number) {
  const region = Math.ceil((BT * 4) / 256) * 256;
  return { region, bytes: 3 * region, tokens: 0, targets: region, weights: 2 * region };
}

export interface ShapePlan {
  B: number;
  T: number;
  inputs: GPUBuffer;
  /** `slots` steps' inputs, written by queue.writeBuffer and copied into `inputs` at the start of each step. */
  inputRing: GPUBuffer;
  inputBytes: number;
  /** GPU memory the plan holds. */
  bytes: number;
  logits: GPUBuffer;
  /** (L+1) residual streams (B*T, C): res[0] the embeddings, res[l] after layer l (readHiddenStates). */
  res: GPUBuffer[];
  loss: GPUBuffer; // (1) the batch's mean loss
  dres: GPUBuffer; // residual-stream gradient: cleared before each backward (normBackward accumulates)
  forward: Dispatch[];
  backward: Dispatch[];
  release: () => void;
}

export function buildShapePlan(
  gpu: Gpu, cfg: ModelConfig, table: ParamTable, params: GPUBuffer, grads: GPUBuffer, B: number, T: number, slots: number,
): ShapePlan {
  const { C, L, NH, HS, F, V, eps, ropeTheta } = cfg;
  const centered = cfg.norm === 'layer';
  const BT = B * T;
  const owned: GPUBuffer[] = [];
  const buffer = (floats: number, name: string) => {
    const b = createBuffer(gpu, `${name}(${B}x${T})`, floats * 4);
    owned.push(b);
    return b;
  };
  const P = (name: string): GpuTensor => ({ buffer: params, offset: spec(table, name).offset * 4, size: spec(table, name).size * 4 });
  const G = (name: string): GpuTensor => ({ buffer: grads, offset: spec(table, name).offset * 4, size: spec(table, name).size * 4 });

  const io = inputLayout(BT);
  const inputs = buffer(io.bytes / 4, 'inputs');
  const inputRing = buffer((slots * io.bytes) / 4, 'input_ring');
  const tokens: GpuTensor = { buffer: inputs, offset: io.tokens, size: BT * 4 };
  const targets: GpuTensor = { buffer: inputs, offset: io.targets, size: BT * 4 };
  const weights: GpuTensor = { buffer: inputs, offset: io.weights, size: BT * 4 };
  const res = Array.from({ length: L + 1 }, (_, l) => buffer(BT * C, `res${l}`));
  const layers = Array.from({ length: L }, (_, l) => allocateEach(layerActivationSizes(B, T, cfg), (n, name) => buffer(n, `l${l}.${name}`)));
  const a = allocateEach(modelActivationSizes(B, T, cfg), buffer);
  const normScratch = buffer(normBackwardScratchBytes(BT, C) / 4, 'norm_backward:scratch');
  const embScratch = buffer(Math.max(4, embeddingBackwardScratchBytes(BT, V, C)) / 4, 'embedding_backward:scratch');
  const lossSum = reduceSum(gpu, a.loss, a.losses, BT);

  const forward: Dispatch[] = [embeddingForward(gpu, res[0], tokens, P('wte'), BT, C)];
  for (let l = 0; l < L; l++) {
    const pre = `layers.${l}.`;
    const la = layers[l];
    forward.push(
      normForward(gpu, la.n1, la.n1Mean, la.n1Rstd, res[l], P(pre + 'norm1'), BT, C, centered, eps),
      ...matmulForward(gpu, la.qkv, la.n1, P(pre + 'wqkv'), BT, C, 3 * C),
      ropeForward(gpu, la.qkvr, la.qkv, B, T, NH, HS, ropeTheta),
      ...attentionForward(gpu, la.att, la.lse, la.qkvr, B, T, NH, HS),
      ...matmulForward(gpu, la.attProj, la.att, P(pre + 'wo'), BT, C, C),
      residualForward(gpu, la.xMid, res[l], la.attProj, BT * C),
      normForward(gpu, la.n2, la.n2Mean, la.n2Rstd, la.xMid, P(pre + 'norm2'), BT, C, centered, eps),
      ...matmulForward(gpu, la.gu, la.n2, P(pre + 'wgu'), BT, C, 2 * F),
      swigluForward(gpu, la.h, la.gu, BT, F),
      ...matmulForward(gpu, la.mlp, la.h, P(pre + 'wdown'), BT, F, C),
      residualForward(gpu, res[l + 1], la.xMid, la.mlp, BT * C),
    );
  }
  forward.push(
    normForward(gpu, a.nf, a.nfMean, a.nfRstd, res[L], P('normf'), BT, C, centered, eps),
    ...matmulForward(gpu, a.logits, a.nf, P('wlm'), BT, C, V),
    crossentropyForward(gpu, a.losses, a.logits, targets, weights, BT, V),
    ...lossSum.dispatches,
  );

  const backward: Dispatch[] = [
    crossentropyBackward(gpu, a.dlogits, a.logits, targets, weights, BT, V),
    ...matmulBackwardWeight(gpu, G('wlm'), a.dlogits, a.nf, BT, C, V),
    ...matmulBackwardInput(gpu, a.dn, a.dlogits, P('wlm'), BT, C, V),
    ...normBackward(gpu, a.dres, G('normf'), a.dn, res[L], P('normf'), a.nfMean, a.nfRstd, BT, C, centered, { scratch: normScratch }),
  ];
  for (let l = L - 1; l >= 0; l--) {
    const pre = `layers.${l}.`;
    const la = layers[l];
    backward.push(
      ...matmulBackwardWeight(gpu, G(pre + 'wdown'), a.dres, la.h, BT, F, C),
      ...matmulBackwardInput(gpu, a.dh, a.dres, P(pre + 'wdown'), BT, F, C),
      swigluBackward(gpu, a.dgu, a.dh, la.gu, BT, F),
      ...matmulBackwardWeight(gpu, G(pre + 'wgu'), a.dgu, la.n2, BT, C, 2 * F),
      ...matmulBackwardInput(gpu, a.dn, a.dgu, P(pre + 'wgu'), BT, C, 2 * F),
      ...normBackward(gpu, a.dres, G(pre + 'norm2'), a.dn, la.xMid, P(pre + 'norm2'), la.n2Mean, la.n2Rstd, BT, C, centered, { scratch: normScratch }),
      ...matmulBackwardWeight(gpu, G(pre + 'wo'), a.dres, la.att, BT, C, C),
      ...matmulBackwardInput(gpu, a.datt, a.dres, P(pre + 'wo'), BT, C, C),
      ...attentionBackward(gpu, a.dqkvr, a.datt, la.qkvr, la.att, la.lse, B, T, NH, HS),
      ropeBackward(gpu, a.dqkv, a.dqkvr, B, T, NH, HS, ropeTheta),
      ...matmulBackwardWeight(gpu, G(pre + 'wqkv'), a.dqkv, la.n1, BT, C, 3 * C),
      ...matmulBackwardInput(gpu, a.dn, a.dqkv, P(pre + 'wqkv'), BT, C, 3 * C),
      ...normBackward(gpu, a.dres, G(pre + 'norm1'), a.dn, res[l], P(pre + 'norm1'), la.n1Mean, la.n1Rstd, BT, C, centered, { scratch: normScratch }),
    );
  }
  backward.push(...embeddingBackward(gpu, G('wte'), a.dres, tokens, BT, V, C, embScratch));

  // Buffers the dispatches made for themselves (uniforms, split-K partials) belong to the plan too.
  for (const d of [...forward, ...backward]) owned.push(...d.owns);
  const release = () => {
    lossSum.release();
    for (const b of owned) b.destroy();
  };
  const bytes = owned.reduce((sum, b) => sum + b.size, 0);
  return { B, T, inputs, inputRing, inputBytes: io.bytes, bytes, logits: a.logits, res, loss: a.loss, dres: a.dres, forward, backward, release };
}
