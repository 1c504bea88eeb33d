// One Engine interface for the CPU spec (cpu.ts) and the WebGPU engine: forward + loss, backward, the clipped
// AdamW step, eval loss, and parameter I/O in the parameter table's flat layout. The training loop
// (src/train) is written against this and nothing else.
import type { ModelConfig } from '../model/config';
import type { ParamTable } from '../model/params';

/** Token ids as the data layer produces them (char level: Uint8Array); the GPU engine uploads them as u32. */
export type TokenArray = Uint8Array | Uint16Array | Uint32Array;

/** One batch of B rows of T tokens (T <= config.T), row-major (B, T). */
export interface Batch {
  B: number;
  T: number;
  tokens: TokenArray; // (B*T) token ids in [0, V)
  targets: TokenArray; // (B*T) next-token ids in [0, V)
  /** (B*T) loss weights: 1/count on counted tokens, 0 elsewhere, so the loss is the mean over counted tokens. */
  weights: Float32Array;
}

/** Scheduled hyperparameters of one AdamW step (kernels.md adamw: PyTorch AdamW with global-norm clipping). */
export interface StepHyper {
  lr: number; // the scheduled lr of this step
  weightDecay: number; // lambda, applied where the parameter table's decay flag is set
  step: number; // t, from 1 (bias correction)
  beta1: number;
  beta2: number;
  eps: number;
  maxNorm: number; // global gradient-norm clip
}

/** The paper's (and PyTorch's) AdamW constants; callers fill in lr, weightDecay and step. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.95, eps: 1e-8, maxNorm: 1 } as const;

/**
 * Methods queue work in call order. Results come back as promises that resolve once the work has run; the
 * GPU engine may batch many steps into one submission and read results back together, so a training loop
 * should not await a step's loss before queueing the next step (awaiting one forces the queue to run).
 */
export interface Engine {
  readonly config: ModelConfig;
  readonly table: ParamTable;
  /** Forward pass and loss on the batch; keeps the activations for backward(). Resolves to the mean loss. */
  forward(batch: Batch): Promise<number>;
  /** Gradients of the last forward's loss into the flat gradient buffer (overwritten, table layout).
   *  Must follow a forward(); evalLoss() in between discards the activations it needs. */
  backward(): Promise<void>;
  /** Global gradient norm, then the clipped AdamW update of every parameter. Resolves to the pre-clip norm. */
  step(hp: StepHyper): Promise<number>;
  /** Loss on a batch without touching gradients or optimizer state (evaluation). */
  evalLoss(batch: Batch): Promise<number>;
  /** Logits (B*T, V) of the last forward() or evalLoss(): greedy decoding, likelihood scoring, tests. */
  readLogits(): Promise<Float32Array>;
  /** The residual stream of the last forward() or evalLoss() at every depth (linear probes): L+1 arrays of
   *  (B*T, C), [0] the token embeddings, [l] the stream after layer l (before the final norm). */
  readHiddenStates(): Promise<Float32Array[]>;
  /** The flat parameters (table.total floats, f32, the checkpoint format). */
  readParams(): Promise<Float32Array>;
  /** Replace all parameters and zero the AdamW moments (a fresh optimizer, as each fine-tune starts). */
  writeParams(params: Float32Array): Promise<void>;
  /** The flat gradient of the last backward() (tests, gradient statistics). */
  readGrads(): Promise<Float32Array>;
  /** Both AdamW moments, flat in table layout (checkpoints). */
  readMoments(): Promise<{ m: Float32Array; v: Float32Array }>;
  /** Restores parameters and both moments (resuming from a checkpoint). */
  writeState(params: Float32Array, m: Float32Array, v: Float32Array): Promise<void>;
  /** Submits queued work now instead of when a result is awaited (engines that batch work; optional). */
  flush?(): Promise<void>;
  dispose(): void;
}

/** Loss weights for a mask (1 = counted): 1/count on counted tokens, 0 elsewhere. */
export function lossWeights(mask: ArrayLike<number>): Float32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  if (count === 0) throw new Error('lossWeights: the mask counts no tokens');
  const w = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) w[i] = mask[i] ? 1 / count : 0;
  return w;
}

/** Shape and token-range checks at the engine boundary (fail loudly, with names). */
export function checkBatch(batch: Batch, cfg: ModelConfig): void {
  const { B, T, tokens, targets, weights } = batch;
  const BT = B * T;
  if (!(Number.isInteger(B) && B > 0 && Number.isInteger(T) && T > 0 && T <= cfg.T)) {
    throw new Error(`batch: B=${B}, T=${T} (need 0 < T <= ${cfg.T})`);
  }
  for (const [name, a] of [['tokens', tokens], ['targets', targets], ['weights', weights]] as const) {
    if (a.length !== BT) throw new Error(`batch.${name}: length ${a.length}, expected B*T = ${BT}`);
  }
  for (let i = 0; i < BT; i++) {
    if (tokens[i] >= cfg.V || targets[i] >= cfg.V) {
      throw new Error(`batch: token ${tokens[i]} / target ${targets[i]} at ${i} outside [0, ${cfg.V})`);
    }
  }
}
