// Turning task examples into training sequences with an answer-only loss mask, and the seeded, resumable
// sampler over examples that fine-tuning uses (one example per sequence, left-aligned, padded with PAD_ID to
// seqLen: the task's row length, rows.ts, not the whole context; right padding never changes the loss).
import { EpochOrder } from '../sampler';
import { encode, PAD_ID } from '../tokenizer';
import type { TaskExample } from './types';

export interface EncodedExample {
  input: Uint8Array; // (T) prompt + answer minus its last char, then PAD
  target: Uint8Array; // (T) input shifted left by one, then PAD
  mask: Uint8Array; // (T) 1 where target is an answer character, else 0
}

/**
 * The longest suffix of `prompt` that fits rows of `seqLen` tokens together with `continuationLength`
 * characters to predict (prompt + continuation is at most seqLen + 1 tokens). Left truncation keeps the text
 * nearest the answer; only SENT's 200-character tails ever need it at context 128 (a task's row length,
 * rows.ts, fits all its examples whole unless it is capped at the context).
 */
export function fitPrompt(prompt: string, continuationLength: number, seqLen: number): string {
  const room = seqLen + 1 - continuationLength;
  if (room < 1) throw new RangeError(`a continuation of ${continuationLength} chars does not fit context ${seqLen}`);
  return prompt.length <= room ? prompt : prompt.slice(prompt.length - room);
}

export function encodeExample(example: TaskExample, seqLen: number): EncodedExample {
  const prompt = fitPrompt(example.prompt, example.answer.length, seqLen);
  const tokens = encode(prompt + example.answer);
  const input = new Uint8Array(seqLen).fill(PAD_ID);
  const target = new Uint8Array(seqLen).fill(PAD_ID);
  const mask = new Uint8Array(seqLen);
  const n = tokens.length - 1; // predicted positions
  input.set(tokens.subarray(0, n));
  target.set(tokens.subarray(1));
  for (let t = Math.max(0, prompt.length - 1); t < n; t++) mask[t] = 1;
  return { input, target, mask };
}

export interface ExampleBatch {
  step: number;
  epoch: number;
  inputs: Uint8Array; // (B, T)
  targets: Uint8Array; // (B, T)
  mask: Uint8Array; // (B, T)
  /** Which examples (indices into the list the sampler was made with). */
  indices: Uint32Array;
}

export function encodeExampleBatch(examples: readonly TaskExample[], seqLen: number): Omit<ExampleBatch, 'step' | 'epoch' | 'indices'> {
  const B = examples.length;
  const inputs = new Uint8Array(B * seqLen);
  const targets = new Uint8Array(B * seqLen);
  const mask = new Uint8Array(B * seqLen);
  examples.forEach((example, b) => {
    const encoded = encodeExample(example, seqLen);
    inputs.set(encoded.input, b * seqLen);
    targets.set(encoded.target, b * seqLen);
    mask.set(encoded.mask, b * seqLen);
  });
  return { inputs, targets, mask };
}

export interface ExampleSamplerConfig {
  seed: number;
  batchSize: number; // B
  /** T of the batches: the task's row length (taskRowLength), at most the model's context. A state saved
   *  before rows had the task's length holds the context (128) and resumes at it: same numbers, more work. */
  seqLen: number;
}

export interface ExampleSamplerState extends ExampleSamplerConfig {
  kind: 'example-sampler';
  exampleCount: number;
  step: number;
}

/** Fine-tuning batches: every epoch a seeded permutation of the examples, cut into full batches. */
export class ExampleSampler {
  private readonly order: EpochOrder;
  private step = 0;

  constructor(
    private readonly examples: readonly TaskExample[],
    readonly config: ExampleSamplerConfig,
  ) {
    this.order = new EpochOrder(config.seed, examples.length, config.batchSize);
  }

  static fromState(examples: readonly TaskExample[], state: ExampleSamplerState): ExampleSampler {
    if (state.kind !== 'example-sampler') throw new Error(`ExampleSampler.fromState: state kind "${state.kind}"`);
    if (state.exampleCount !== examples.length) {
      throw new Error(`ExampleSampler.fromState: state is for ${state.exampleCount} examples, got ${examples.length}`);
    }
    const sampler = new ExampleSampler(examples, { seed: state.seed, batchSize: state.batchSize, seqLen: state.seqLen });
    sampler.step = state.step;
    return sampler;
  }

  get batchesPerEpoch(): number {
    return this.order.batchesPerEpoch;
  }

  batchAt(step: number): ExampleBatch {
    const indices = this.order.indicesAt(step);
    const batch = encodeExampleBatch(Array.from(indices, (i) => this.examples[i]), this.config.seqLen);
    return { step, epoch: this.order.epochOf(step), indices, ...batch };
  }

  next(): ExampleBatch {
    return this.batchAt(this.step++);
  }

  getState(): ExampleSamplerState {
    return { kind: 'example-sampler', ...this.config, exampleCount: this.examples.length, step: this.step };
  }
}
