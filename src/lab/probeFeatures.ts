// Linear probes on the engine's hidden states (science.md, measurement 3). Each probe text runs through the
// model alone in its row (left-aligned, as every evaluator does); readHiddenStates gives the residual stream
// at every depth (0 = embeddings, l = after layer l). Two poolings per depth: the last token's state (the
// paper's) and the mean over the text's positions. fitProbe (standardized features, cross-validated L2
// logistic regression) scores each on the probe set's held-out split.
import type { ProbeSet } from '../data/probes';
import { encode, PAD_ID } from '../data/tokenizer';
import type { Engine } from '../engine/types';
import { fitProbe } from './measure/probe';

export type Pooling = 'last' | 'mean';

/** Pooled features at one depth: (n, C) row-major, one row per text. */
export type DepthFeatures = Record<Pooling, Float64Array>;

/** Features of `texts` at every depth 0..L, `rows` texts per engine call. */
export async function hiddenFeatures(engine: Engine, texts: readonly string[], rows: number): Promise<DepthFeatures[]> {
  const { T, C, L } = engine.config;
  const n = texts.length;
  const out = Array.from({ length: L + 1 }, () => ({ last: new Float64Array(n * C), mean: new Float64Array(n * C) }));
  for (let first = 0; first < n; first += rows) {
    const group = texts.slice(first, first + rows).map((text) => encode(text).subarray(-T));
    const tokens = new Uint8Array(rows * T).fill(PAD_ID);
    group.forEach((ids, r) => tokens.set(ids, r * T));
    // Only the hidden states are read: zero loss weights (the loss is 0), any targets.
    await engine.evalLoss({ B: rows, T, tokens, targets: new Uint8Array(rows * T), weights: new Float32Array(rows * T) });
    const hidden = await engine.readHiddenStates();
    hidden.forEach((h, depth) => {
      group.forEach((ids, r) => {
        const row = (first + r) * C;
        const len = Math.max(1, ids.length);
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let t = 0; t < len; t++) sum += h[(r * T + t) * C + c];
          out[depth].last[row + c] = h[(r * T + len - 1) * C + c];
          out[depth].mean[row + c] = sum / len;
        }
      });
    });
  }
  return out;
}

export interface ProbeScore {
  layer: number;
  pooling: Pooling;
  accuracy: number;
}

/** Held-out accuracy of a linear probe at every depth and pooling, for the engine's current parameters. */
export async function probeScores(engine: Engine, set: ProbeSet, rows: number, seed: number): Promise<ProbeScore[]> {
  const [train, test] = [await hiddenFeatures(engine, set.train.texts, rows), await hiddenFeatures(engine, set.test.texts, rows)];
  const scores: ProbeScore[] = [];
  train.forEach((depth, layer) => {
    for (const pooling of ['last', 'mean'] as const) {
      const fit = fitProbe({ trainX: depth[pooling], trainY: set.train.labels, trainGroups: set.train.groups, testX: test[layer][pooling], testY: set.test.labels, classes: set.classes.length, seed });
      scores.push({ layer, pooling, accuracy: fit.accuracy });
    }
  });
  return scores;
}
