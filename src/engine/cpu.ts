// The CPU engine: the readable spec of the model, float64, built ONLY from the kernel references
// (src/kernels/*.ref.ts, docs/kernels.md). Forward is a flat list of kernel calls; backward is that list
// reversed (llm.c gpt2_forward / gpt2_backward). Parameters, gradients and AdamW moments are flat buffers laid
// out by the parameter table; each kernel gets a view at the tensor's offset.
import { adamwStep } from '../kernels/adamw.ref';
import { attentionBackward, attentionForward } from '../kernels/attention.ref';
import { crossentropyBackward, crossentropyForward } from '../kernels/crossentropy.ref';
import { embeddingBackward, embeddingForward } from '../kernels/embedding.ref';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from '../kernels/matmul.ref';
import { normBackward, normForward } from '../kernels/norm.ref';
import { reduceNorm, reduceSum } from '../kernels/reduce.ref';
import { residualForward } from '../kernels/residual.ref';
import { ropeBackward, ropeForward } from '../kernels/rope.ref';
import { swigluBackward, swigluForward } from '../kernels/swiglu.ref';
import type { ModelConfig } from '../model/config';
import { decayMask, paramTable, view, type ParamTable } from '../model/params';
import { allocateEach, layerActivationSizes, modelActivationSizes } from './activations';
import { checkBatch, type Batch, type Engine, type StepHyper } from './types';

const f64 = (n: number) => new Float64Array(n);

/** Every buffer one (B, T) shape needs (layout in activations.ts): activations, then the backward scratch. */
function allocate(B: number, T: number, cfg: ModelConfig) {
  return {
    B, T,
    res: Array.from({ length: cfg.L + 1 }, () => f64(B * T * cfg.C)), // residual stream entering layer l; res[L] leaves the last
    layers: Array.from({ length: cfg.L }, () => allocateEach(layerActivationSizes(B, T, cfg), f64)),
    ...allocateEach(modelActivationSizes(B, T, cfg), f64),
  };
}

type Acts = ReturnType<typeof allocate>;

export class CpuEngine implements Engine {
  readonly table: ParamTable;
  /** Flat float64 state in table layout (public for tests: finite differences, golden comparisons). */
  readonly params: Float64Array;
  readonly grads: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly decay: boolean[]; // per element, from the table (padding false)
  private readonly gradNorm = f64(1);
  private acts: Acts | null = null;
  private lastBatch: Batch | null = null;

  constructor(readonly config: ModelConfig) {
    this.table = paramTable(config);
    const N = this.table.total;
    this.params = f64(N);
    this.grads = f64(N);
    this.m = f64(N);
    this.v = f64(N);
    this.decay = Array.from(decayMask(this.table), (flag) => flag === 1);
  }

  private p(name: string): Float64Array {
    return view(this.table, this.params, name);
  }

  private g(name: string): Float64Array {
    return view(this.table, this.grads, name);
  }

  private activations(B: number, T: number): Acts {
    if (!this.acts || this.acts.B !== B || this.acts.T !== T) this.acts = allocate(B, T, this.config);
    return this.acts;
  }

  /** The forward flat list. Returns the mean loss (sum of the weighted per-token losses). */
  private run(batch: Batch): number {
    checkBatch(batch, this.config);
    const { B, T, tokens, targets, weights } = batch;
    const { C, L, NH, HS, F, V, eps, ropeTheta } = this.config;
    const centered = this.config.norm === 'layer';
    const BT = B * T;
    const a = this.activations(B, T);
    embeddingForward(a.res[0], tokens, this.p('wte'), BT, C);
    for (let l = 0; l < L; l++) {
      const pre = `layers.${l}.`;
      const la = a.layers[l];
      normForward(la.n1, la.n1Mean, la.n1Rstd, a.res[l], this.p(pre + 'norm1'), BT, C, centered, eps);
      matmulForward(la.qkv, la.n1, this.p(pre + 'wqkv'), BT, C, 3 * C);
      ropeForward(la.qkvr, la.qkv, B, T, NH, HS, ropeTheta);
      attentionForward(la.att, la.lse, la.qkvr, B, T, NH, HS);
      matmulForward(la.attProj, la.att, this.p(pre + 'wo'), BT, C, C);
      residualForward(la.xMid, a.res[l], la.attProj, BT * C);
      normForward(la.n2, la.n2Mean, la.n2Rstd, la.xMid, this.p(pre + 'norm2'), BT, C, centered, eps);
      matmulForward(la.gu, la.n2, this.p(pre + 'wgu'), BT, C, 2 * F);
      swigluForward(la.h, la.gu, BT, F);
      matmulForward(la.mlp, la.h, this.p(pre + 'wdown'), BT, F, C);
      residualForward(a.res[l + 1], la.xMid, la.mlp, BT * C);
    }
    normForward(a.nf, a.nfMean, a.nfRstd, a.res[L], this.p('normf'), BT, C, centered, eps);
    matmulForward(a.logits, a.nf, this.p('wlm'), BT, C, V);
    crossentropyForward(a.losses, a.logits, targets, weights, BT, V);
    reduceSum(a.loss, a.losses, BT);
    return a.loss[0];
  }

  /**
   * The forward list reversed. A residual add's backward is the identity on both inputs: the stream gradient
   * `dres` flows on unchanged, and each branch's normBackward adds its share into it (dx += ...).
   */
  private runBackward(batch: Batch): void {
    const { B, T, tokens, targets, weights } = batch;
    const { C, L, NH, HS, F, V, ropeTheta } = this.config;
    const centered = this.config.norm === 'layer';
    const BT = B * T;
    const a = this.activations(B, T);
    crossentropyBackward(a.dlogits, a.logits, targets, weights, BT, V);
    matmulBackwardWeight(this.g('wlm'), a.dlogits, a.nf, BT, C, V);
    matmulBackwardInput(a.dn, a.dlogits, this.p('wlm'), BT, C, V);
    a.dres.fill(0);
    normBackward(a.dres, this.g('normf'), a.dn, a.res[L], this.p('normf'), a.nfMean, a.nfRstd, BT, C, centered);
    for (let l = L - 1; l >= 0; l--) {
      const pre = `layers.${l}.`;
      const la = a.layers[l];
      matmulBackwardWeight(this.g(pre + 'wdown'), a.dres, la.h, BT, F, C);
      matmulBackwardInput(a.dh, a.dres, this.p(pre + 'wdown'), BT, F, C);
      swigluBackward(a.dgu, a.dh, la.gu, BT, F);
      matmulBackwardWeight(this.g(pre + 'wgu'), a.dgu, la.n2, BT, C, 2 * F);
      matmulBackwardInput(a.dn, a.dgu, this.p(pre + 'wgu'), BT, C, 2 * F);
      normBackward(a.dres, this.g(pre + 'norm2'), a.dn, la.xMid, this.p(pre + 'norm2'), la.n2Mean, la.n2Rstd, BT, C, centered);
      matmulBackwardWeight(this.g(pre + 'wo'), a.dres, la.att, BT, C, C);
      matmulBackwardInput(a.datt, a.dres, this.p(pre + 'wo'), BT, C, C);
      attentionBackward(a.dqkvr, a.datt, la.qkvr, la.att, la.lse, B, T, NH, HS);
      ropeBackward(a.dqkv, a.dqkvr, B, T, NH, HS, ropeTheta);
      matmulBackwardWeight(this.g(pre + 'wqkv'), a.dqkv, la.n1, BT, C, 3 * C);
      matmulBackwardInput(a.dn, a.dqkv, this.p(pre + 'wqkv'), BT, C, 3 * C);
      normBackward(a.dres, this.g(pre + 'norm1'), a.dn, a.res[l], this.p(pre + 'norm1'), la.n1Mean, la.n1Rstd, BT, C, centered);
    }
    embeddingBackward(this.g('wte'), a.dres, tokens, BT, V, C);
  }

  async forward(batch: Batch): Promise<number> {
    const loss = this.run(batch);
    this.lastBatch = batch;
    return loss;
  }

  async backward(): Promise<void> {
    if (!this.lastBatch) throw new Error('CpuEngine.backward: needs forward() first (evalLoss() discards activations)');
    this.runBackward(this.lastBatch);
    this.lastBatch = null;
  }

  async step(hp: StepHyper): Promise<number> {
    const N = this.table.total;
    reduceNorm(this.gradNorm, this.grads, N);
    adamwStep(this.params, this.m, this.v, this.grads, this.gradNorm, this.decay, N, hp);
    return this.gradNorm[0];
  }

  async evalLoss(batch: Batch): Promise<number> {
    this.lastBatch = null;
    return this.run(batch);
  }

  /** Float64 logits (B*T, V) of the last forward() or evalLoss(). */
  get logits(): Float64Array {
    if (!this.acts) throw new Error('CpuEngine.logits: no forward() or evalLoss() yet');
    return this.acts.logits;
  }

  async readLogits(): Promise<Float32Array> {
    return Float32Array.from(this.logits);
  }

  async readHiddenStates(): Promise<Float32Array[]> {
    if (!this.acts) throw new Error('CpuEngine.readHiddenStates: no forward() or evalLoss() yet');
    return this.acts.res.map((r) => Float32Array.from(r));
  }

  async readParams(): Promise<Float32Array> {
    return Float32Array.from(this.params);
  }

  async writeParams(params: Float32Array): Promise<void> {
    if (params.length !== this.table.total) {
      throw new Error(`CpuEngine.writeParams: ${params.length} floats, the table has ${this.table.total}`);
    }
    this.params.set(params);
    this.m.fill(0);
    this.v.fill(0);
  }

  async readGrads(): Promise<Float32Array> {
    return Float32Array.from(this.grads);
  }

  /** The moments rounded to f32 (the checkpoint format): a CPU resume is exact up to that rounding. */
  async readMoments(): Promise<{ m: Float32Array; v: Float32Array }> {
    return { m: Float32Array.from(this.m), v: Float32Array.from(this.v) };
  }

  async writeState(params: Float32Array, m: Float32Array, v: Float32Array): Promise<void> {
    for (const [name, a] of [['params', params], ['m', m], ['v', v]] as const) {
      if (a.length !== this.table.total) throw new Error(`CpuEngine.writeState: ${name} has ${a.length} floats, the table has ${this.table.total}`);
    }
    this.params.set(params);
    this.m.set(m);
    this.v.set(v);
  }

  dispose(): void {
    this.acts = null;
  }
}

export function createCpuEngine(config: ModelConfig): CpuEngine {
  return new CpuEngine(config);
}
