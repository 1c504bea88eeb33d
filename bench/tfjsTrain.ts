// TensorFlow.js training peer for bench:train (issue 10): the same Llama model as our engines, written in
// tfjs-core ops on the `webgpu` backend (started by tfjs.ts's loadTfjsWebgpu): pre-norm RMSNorm (LayerNorm
// without bias when config.norm is 'layer'), RoPE with rope.ref.ts's rotate_half pairing (i, i + HS/2), causal
// multi-head attention, SwiGLU, no biases, untied embeddings, the weighted mean cross-entropy of Batch.weights.
// Gradients come from tf.variableGrads; the optimizer is PyTorch's AdamW after clip_grad_norm_ written in tf ops
// (tf.train.adam has no decoupled decay), decaying only where the parameter table's flag is set, exactly as
// adamw.ref.ts. Parameters go in and come out in the table's flat layout, so both sides start from the same
// initParams; bench/tfjsTrain.test.ts checks losses and parameters against the CPU spec engine.
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Batch, StepHyper } from '../src/engine/types';
import type { ModelConfig } from '../src/model/config';
import { paramTable, spec, type ParamSpec, type ParamTable } from '../src/model/params';
import type { Tf } from './tfjs';

/** A batch uploaded once: token ids (B*T) and the loss weights placed at the targets, (B*T, V). */
export interface TfjsBatch {
  B: number;
  T: number;
  tokens: Tensor1D;
  weightedTargets: Tensor2D;
}

/** One queued step's results, still on the GPU: the loss before the update and the pre-clip gradient norm. */
export interface TfjsStep {
  loss: Scalar;
  gradNorm: Scalar;
}

/** Added to the scores above the diagonal: exp underflows to exactly 0 in f32, so masked keys get no weight. */
const MASKED = -1e9;

let trainers = 0; // TF.js variable names are global: each trainer's variables carry their own prefix

/** cos and sin (T, HS/2) of angle t * theta^(-2i/HS), computed in float64 as rope.ref.ts does, then f32. */
function ropeTables(tf: Tf, cfg: ModelConfig): { cos: Tensor2D; sin: Tensor2D } {
  const half = cfg.HS / 2;
  const cos = new Float32Array(cfg.T * half);
  const sin = new Float32Array(cfg.T * half);
  for (let t = 0; t < cfg.T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * cfg.ropeTheta ** ((-2 * i) / cfg.HS);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [cfg.T, half]), sin: tf.tensor2d(sin, [cfg.T, half]) };
}

/** (T, T): 0 where key j <= query t, MASKED above the diagonal. */
function causalMask(tf: Tf, T: number): Tensor2D {
  const mask = new Float32Array(T * T);
  for (let t = 0; t < T; t++) mask.fill(MASKED, t * T + t + 1, (t + 1) * T);
  return tf.tensor2d(mask, [T, T]);
}

export class TfjsTrainer {
  readonly table: ParamTable;
  private readonly specs: ParamSpec[];
  private readonly params: Variable[];
  private readonly m: Variable[];
  private readonly v: Variable[];
  /** Uploaded once (a JS number in a tf op becomes a fresh tensor and upload each call). */
  private readonly consts: { cos: Tensor2D; sin: Tensor2D; mask: Tensor2D; eps: Scalar; scale: Scalar };

  /** Variables from `flat` (table layout, as initParams and readParams give it); both moments zero. */
  constructor(private readonly tf: Tf, readonly config: ModelConfig, flat: Float32Array) {
    this.table = paramTable(config);
    if (flat.length !== this.table.total) throw new Error(`TfjsTrainer: ${flat.length} floats, the table has ${this.table.total}`);
    this.specs = this.table.specs;
    const prefix = `tfjsTrain${trainers++}`;
    const variable = (name: string, init: Tensor, trainable = false) => tf.variable(init, trainable, `${prefix}/${name}`);
    // In a tidy: tf.variable leaves its initial tensor registered until that is disposed.
    [this.params, this.m, this.v] = tf.tidy(() => [
      this.specs.map((s) => variable(s.name, tf.tensor(flat.slice(s.offset, s.offset + s.size), s.shape), true)),
      this.specs.map((s) => variable(`m/${s.name}`, tf.zeros(s.shape))),
      this.specs.map((s) => variable(`v/${s.name}`, tf.zeros(s.shape))),
    ]);
    const scalars = { eps: tf.scalar(config.eps), scale: tf.scalar(1 / Math.sqrt(config.HS)) };
    this.consts = { ...ropeTables(tf, config), mask: causalMask(tf, config.T), ...scalars };
  }

  /** Uploads a batch once (the benchmark reuses its few batches, as our engine's random batches do). */
  upload(batch: Batch): TfjsBatch {
    const { B, T, tokens, targets, weights } = batch;
    const V = this.config.V;
    if (T !== this.config.T || tokens.length !== B * T) {
      throw new Error(`TfjsTrainer.upload: B=${B}, T=${T}, ${tokens.length} tokens (full-length rows only: T = ${this.config.T})`);
    }
    const weighted = new Float32Array(B * T * V);
    for (let i = 0; i < B * T; i++) weighted[i * V + targets[i]] = weights[i];
    return { B, T, tokens: this.tf.tensor1d(Int32Array.from(tokens), 'int32'), weightedTargets: this.tf.tensor2d(weighted, [B * T, V]) };
  }

  private p(name: string): Tensor {
    return this.params[this.specs.indexOf(spec(this.table, name))];
  }

  private norm(x: Tensor, gain: Tensor): Tensor {
    const tf = this.tf;
    const xc = this.config.norm === 'layer' ? tf.sub(x, tf.mean(x, -1, true)) : x;
    return tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), this.consts.eps))), gain);
  }

  /** x (B, NH, T, HS) rotated in pairs (i, i + HS/2) by angle t * theta^(-2i/HS). */
  private rope(x: Tensor): Tensor {
    const tf = this.tf;
    const { cos, sin } = this.consts; // (T, HS/2), broadcast over B and NH
    const [x1, x2] = tf.split(x, 2, 3);
    return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))], 3);
  }

  /** Causal multi-head attention of the normed stream n (B*T, C), before the output projection: (B*T, C). */
  private attention(n: Tensor, wqkv: Tensor, B: number, T: number): Tensor {
    const tf = this.tf;
    const { C, NH, HS } = this.config;
    const qkv = tf.transpose(tf.reshape(tf.matMul(n, wqkv, false, true), [B, T, 3, NH, HS]), [2, 0, 3, 1, 4]); // (3, B, NH, T, HS)
    const [q, k, v] = tf.unstack(qkv);
    const scores = tf.add(tf.mul(tf.matMul(this.rope(q), this.rope(k), false, true), this.consts.scale), this.consts.mask); // (B, NH, T, T)
    const out = tf.matMul(tf.softmax(scores), v); // (B, NH, T, HS)
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * T, C]);
  }

  /** The forward pass and the loss: sum over tokens of weight * -log softmax(logits)[target]. */
  private loss(batch: TfjsBatch): Scalar {
    const tf = this.tf;
    const { B, T } = batch;
    const linear = (x: Tensor, w: Tensor) => tf.matMul(x, w, false, true); // x · w^T, w (out, in)
    let x = tf.gather(this.p('wte'), batch.tokens); // (B*T, C)
    for (let l = 0; l < this.config.L; l++) {
      const pre = `layers.${l}.`;
      x = tf.add(x, linear(this.attention(this.norm(x, this.p(pre + 'norm1')), this.p(pre + 'wqkv'), B, T), this.p(pre + 'wo')));
      const [gate, up] = tf.split(linear(this.norm(x, this.p(pre + 'norm2')), this.p(pre + 'wgu')), 2, 1); // (B*T, F) each
      x = tf.add(x, linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), this.p(pre + 'wdown')));
    }
    const logits = linear(this.norm(x, this.p('normf')), this.p('wlm')); // (B*T, V)
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), batch.weightedTargets)));
  }

  /**
   * Forward, backward, global-norm clip and AdamW, queued on TF.js's device and not read back:
   * clip = min(1, maxNorm / (norm + 1e-6)); m, v updated with the clipped gradient; p *= 1 - lr wd where the
   * table decays p; p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)  (adamw.ref.ts).
   */
  step(batch: TfjsBatch, hp: StepHyper): TfjsStep {
    const tf = this.tf;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(batch), this.params);
      const g = this.params.map((p) => grads[p.name]);
      // Not tf.addN: its one program binds all 6L + 3 inputs, past maxStorageBuffersPerShaderStage (8 unless
      // requested; a validation error, not a crash); tf.stack is a concat, which TF.js splits to fit the limit.
      const gradNorm = tf.sqrt(tf.sum(tf.stack(g.map((gi) => tf.sum(tf.square(gi)))))) as Scalar;
      const clip = tf.minimum(1, tf.div(hp.maxNorm, tf.add(gradNorm, 1e-6)));
      // This step's coefficients, one scalar tensor each, shared by every tensor's update.
      const [b1, c1, b2, c2, lrBc1, bc2, eps, keep] = [
        hp.beta1, 1 - hp.beta1, hp.beta2, 1 - hp.beta2, hp.lr / (1 - hp.beta1 ** hp.step), 1 - hp.beta2 ** hp.step, hp.eps, 1 - hp.lr * hp.weightDecay,
      ].map((x) => tf.scalar(x));
      this.specs.forEach((s, i) => {
        const gi = tf.mul(g[i], clip);
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(gi, c1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(gi), c2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const p = s.decay && hp.weightDecay !== 0 ? tf.mul(this.params[i], keep) : this.params[i];
        this.params[i].assign(tf.sub(p, tf.div(tf.mul(m, lrBc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps))));
      });
      return { loss: value, gradNorm };
    });
  }

  /** The parameters in the table's flat layout (padding 0). */
  async readParams(): Promise<Float32Array> {
    const flat = new Float32Array(this.table.total);
    for (const [i, s] of this.specs.entries()) flat.set(await this.params[i].data(), s.offset);
    return flat;
  }

  dispose(): void {
    for (const t of [...this.params, ...this.m, ...this.v, ...Object.values(this.consts)]) t.dispose();
  }
}

export function disposeBatch(batch: TfjsBatch): void {
  batch.tokens.dispose();
  batch.weightedTargets.dispose();
}

/** Losses and gradient norms of queued steps, read back in one transfer (which waits for all of them). */
export async function readSteps(tf: Tf, steps: TfjsStep[]): Promise<{ losses: number[]; gradNorms: number[] }> {
  const all = tf.stack(steps.flatMap((s) => [s.loss, s.gradNorm]));
  const values = Array.from(await all.data());
  all.dispose();
  for (const s of steps) tf.dispose([s.loss, s.gradNorm]);
  return { losses: values.filter((_, i) => i % 2 === 0), gradNorms: values.filter((_, i) => i % 2 === 1) };
}

export interface TfjsTiming {
  msPerStep: number;
  tokensPerSecond: number;
  finalLoss: number;
}

/** What bench:train hands both sides: model, initial parameters (table layout), batches, per-step hyperparameters. */
export interface TrainRun {
  model: ModelConfig;
  params: Float32Array;
  batches: Batch[];
  hp: (step: number) => StepHyper;
  warmup: number; // untimed steps first (pipeline compiles)
  steps: number; // timed steps
}

/**
 * Times the TF.js peer over the same run as our engine's: `warmup` untimed steps from `params`, then `steps`
 * timed ones (hp(1..), then hp(100..), as bench/train.ts numbers ours). Wall clock from the first step queued
 * to the losses read back: TF.js submits its own command buffers every few programs and has no way to batch
 * whole steps into one submission as our engine does (STEPS_PER_SUBMIT), so the one data read at the end is
 * the sync that closes the window.
 */
export async function timeTfjsTraining(tf: Tf, run: TrainRun): Promise<TfjsTiming> {
  const trainer = new TfjsTrainer(tf, run.model, run.params);
  const uploaded = run.batches.map((b) => trainer.upload(b));
  try {
    const queue = (n: number, from: number) => Array.from({ length: n }, (_, t) => trainer.step(uploaded[t % uploaded.length], run.hp(from + t)));
    await readSteps(tf, queue(run.warmup, 1));
    const t0 = performance.now();
    const { losses } = await readSteps(tf, queue(run.steps, 100));
    const seconds = (performance.now() - t0) / 1000;
    const tokens = run.steps * run.batches[0].B * run.batches[0].T;
    return { msPerStep: (seconds * 1000) / run.steps, tokensPerSecond: tokens / seconds, finalLoss: losses[losses.length - 1] };
  } finally {
    uploaded.forEach(disposeBatch);
    trainer.dispose();
  }
}
