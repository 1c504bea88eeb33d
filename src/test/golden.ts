// The PyTorch goldens for the tiny preset (tools/golden/tiny.json, made by tools/golden/make_golden.py in
// float64 from the same f32 initial parameters), shared by the CPU and WebGPU engine tests.
import { readFileSync } from 'node:fs';
import type { Batch } from '../engine/types';
import type { DecayGroup, ModelConfig } from '../model/config';

export interface GoldenStep {
  name: string;
  decayGroup: DecayGroup;
  weightDecay: number;
  lrs: number[];
  maxNorm: number;
  losses: number[];
  gradNorms: number[];
  clipped: boolean[];
  params: string;
}

export const golden = JSON.parse(readFileSync(new URL('../../tools/golden/tiny.json', import.meta.url), 'utf8')) as {
  config: ModelConfig;
  params: string;
  batch: { B: number; T: number; tokens: number[]; targets: number[]; weights: number[] };
  forward: { loss: number; logits: string };
  grads: string;
  gradNorm: number;
  steps: GoldenStep[];
  layernorm: { loss: number; grads: string };
};

/** Base64 little-endian float32, as make_golden.py writes arrays. */
export function f32(b64: string): Float32Array {
  const bytes = Uint8Array.from(Buffer.from(b64, 'base64'));
  return new Float32Array(bytes.buffer);
}

export function goldenBatch(): Batch {
  return {
    B: golden.batch.B,
    T: golden.batch.T,
    tokens: Uint32Array.from(golden.batch.tokens),
    targets: Uint32Array.from(golden.batch.targets),
    weights: Float32Array.from(golden.batch.weights),
  };
}
