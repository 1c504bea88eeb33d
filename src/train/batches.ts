// From the data layer's batches to the engine's: token windows (pretraining, every target counted) and
// encoded examples (fine-tuning, answer targets only, via lossWeights). Also the fixed validation batches
// runPhase evaluates periodically.
import type { WindowBatch, WindowSamplerState } from '../data/sampler';
import type { ExampleBatch, ExampleSamplerState } from '../data/tasks/format';
import { lossWeights, type Batch } from '../engine/types';

export type SamplerState = WindowSamplerState | ExampleSamplerState;

/** What runPhase draws batches from: WindowSampler (pretraining) and ExampleSampler (fine-tuning) both fit. */
export interface PhaseSampler {
  readonly config: { batchSize: number; seqLen: number };
  next(): WindowBatch | ExampleBatch;
  getState(): SamplerState;
}

const uniformCache = new Map<number, Float32Array>();

/** 1/n on every one of n positions (the mean over all targets), shared per size: never written. */
function uniformWeights(n: number): Float32Array {
  let w = uniformCache.get(n);
  if (!w) {
    w = lossWeights(new Uint8Array(n).fill(1));
    uniformCache.set(n, w);
  }
  return w;
}

/** An engine batch of B rows of T tokens: every target counted, or only the masked ones (fine-tuning). */
export function toEngineBatch(batch: WindowBatch | ExampleBatch, B: number, T: number): Batch {
  const weights = 'mask' in batch ? lossWeights(batch.mask) : uniformWeights(B * T);
  return { B, T, tokens: batch.inputs, targets: batch.targets, weights };
}

/**
 * `count` fixed batches of B windows of T+1 tokens from a token stream, at evenly spaced window positions
 * (the same stride-T grid evaluateBitsPerChar samples), every target counted: the mean of their evalLoss is
 * the validation loss in nats per character over exactly these B*count windows.
 */
export function fixedWindowBatches(tokens: Uint8Array, B: number, T: number, count: number): Batch[] {
  const available = Math.floor((tokens.length - 1) / T);
  const windows = Math.min(available, B * count);
  if (windows < B) throw new Error(`fixedWindowBatches: ${tokens.length} tokens hold ${available} windows of ${T + 1}, fewer than B=${B}`);
  const batches: Batch[] = [];
  for (let first = 0; first + B <= windows; first += B) {
    const inputs = new Uint8Array(B * T);
    const targets = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(((first + b) * available) / windows) * T;
      inputs.set(tokens.subarray(start, start + T), b * T);
      targets.set(tokens.subarray(start + 1, start + T + 1), b * T);
    }
    batches.push({ B, T, tokens: inputs, targets, weights: uniformWeights(B * T) });
  }
  return batches;
}
