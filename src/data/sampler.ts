// Seeded, resumable batch samplers. The order depends only on the data seed (never on weight decay or any
// other hyperparameter), so runs that differ in lambda see identical batches: paired comparisons.
//
// EpochOrder: items 0..N-1 in a fresh seeded permutation every epoch; batch `step` is positions
// [(step mod S) * B, ... + B) of epoch floor(step / S)'s permutation, S = floor(N / B) (the last partial batch
// of an epoch is dropped, so every batch has the same shape). Any batch is a pure function of (seed, step),
// which is all a checkpoint needs.
//
// WindowSampler (pretraining): the training token stream cut into windows of T+1 tokens with stride T
// (window w = tokens [w*T, w*T + T]), so every token after the first is a target exactly once per epoch.
import { Rng } from '../util/rng';

function epochSeed(seed: number, epoch: number): number {
  return (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
}

/** A seeded Fisher-Yates permutation of 0..n-1 (the same algorithm as Rng.shuffle, on a typed array). */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export class EpochOrder {
  readonly batchesPerEpoch: number;
  private cachedEpoch = -1;
  private cachedOrder: Uint32Array = new Uint32Array(0);

  constructor(
    readonly seed: number,
    readonly itemCount: number,
    readonly batchSize: number,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize ${batchSize} must be a positive integer`);
    this.batchesPerEpoch = Math.floor(itemCount / batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new RangeError(`EpochOrder: ${itemCount} items cannot fill one batch of ${batchSize}`);
    }
  }

  epochOf(step: number): number {
    return Math.floor(step / this.batchesPerEpoch);
  }

  /** Item indices of batch `step` (any step >= 0; epochs continue with new permutations). */
  indicesAt(step: number): Uint32Array {
    if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`step ${step} must be a non-negative integer`);
    const epoch = this.epochOf(step);
    if (epoch !== this.cachedEpoch) {
      this.cachedOrder = seededPermutation(this.itemCount, epochSeed(this.seed, epoch));
      this.cachedEpoch = epoch;
    }
    const start = (step - epoch * this.batchesPerEpoch) * this.batchSize;
    return this.cachedOrder.slice(start, start + this.batchSize);
  }
}

export interface WindowBatch {
  step: number;
  epoch: number;
  inputs: Uint8Array; // (B, T) tokens [w*T, w*T + T)
  targets: Uint8Array; // (B, T) tokens [w*T + 1, w*T + T]
}

export interface WindowSamplerConfig {
  seed: number;
  batchSize: number; // B
  seqLen: number; // T
}

export interface WindowSamplerState extends WindowSamplerConfig {
  kind: 'window-sampler';
  tokenCount: number; // length of the stream it was made for: resuming on other data is refused
  step: number; // batches handed out so far
}

export class WindowSampler {
  readonly windowsPerEpoch: number;
  private readonly order: EpochOrder;
  private step = 0;

  constructor(
    private readonly tokens: Uint8Array,
    readonly config: WindowSamplerConfig,
  ) {
    const { seqLen: T, batchSize: B, seed } = config;
    if (!(Number.isInteger(T) && T > 0)) throw new RangeError(`seqLen ${T} must be a positive integer`);
    this.windowsPerEpoch = Math.floor((tokens.length - 1) / T);
    this.order = new EpochOrder(seed, this.windowsPerEpoch, B);
  }

  static fromState(tokens: Uint8Array, state: WindowSamplerState): WindowSampler {
    if (state.kind !== 'window-sampler') throw new Error(`WindowSampler.fromState: state kind "${state.kind}"`);
    if (state.tokenCount !== tokens.length) {
      throw new Error(`WindowSampler.fromState: state is for ${state.tokenCount} tokens, this stream has ${tokens.length}`);
    }
    const sampler = new WindowSampler(tokens, { seed: state.seed, batchSize: state.batchSize, seqLen: state.seqLen });
    sampler.step = state.step;
    return sampler;
  }

  get batchesPerEpoch(): number {
    return this.order.batchesPerEpoch;
  }

  /** Target tokens one epoch trains on: batchesPerEpoch * B * T. */
  get tokensPerEpoch(): number {
    return this.order.batchesPerEpoch * this.config.batchSize * this.config.seqLen;
  }

  /** Batch number `step`, without moving the sampler. */
  batchAt(step: number): WindowBatch {
    const { batchSize: B, seqLen: T } = this.config;
    const windows = this.order.indicesAt(step);
    const inputs = new Uint8Array(B * T);
    const targets = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = windows[b] * T;
      inputs.set(this.tokens.subarray(start, start + T), b * T);
      targets.set(this.tokens.subarray(start + 1, start + T + 1), b * T);
    }
    return { step, epoch: this.order.epochOf(step), inputs, targets };
  }

  next(): WindowBatch {
    return this.batchAt(this.step++);
  }

  getState(): WindowSamplerState {
    return { kind: 'window-sampler', ...this.config, tokenCount: this.tokens.length, step: this.step };
  }
}
