// KV: in-context key-value recall. Eight pairs of distinct 3-letter lowercase keys and 2-digit values
// (00..99, values may repeat), then a query for one of the keys:
//   prompt `abc=42 dqx=07 ... vwx=71 ?dqx=`   answer `07\n`
// (8 pairs: 8 * 7 - 1 + 6 = 61 prompt characters, 64 with the answer.) Test prompts never occur in the
// training set; the test set depends only on (seed, testSize), and training sets are nested across sizes.
import { Rng } from '../../util/rng';
import { checkSize, deriveSeed, sampleDistinct } from './common';
import type { ExactMatchTask, TaskExample, TaskSizeOptions } from './types';

export const KV_TERMINATOR = '\n';
export const KV_PAIRS = 8;
/** The generator's caps on test and training examples (the sweep schema checks them too); the space of
 *  prompts (26^3 keys, 100 values, 8 pairs) is far larger, so these bound memory, not supply. */
export const KV_MAX_TEST_SIZE = 1_000_000;
export const KV_MAX_TRAIN_SIZE = 10_000_000;

export interface KvOptions extends TaskSizeOptions {
  /** Pairs per example (default 8). */
  pairs?: number;
}

function randomKey(rng: Rng): string {
  let key = '';
  for (let i = 0; i < 3; i++) key += String.fromCharCode(97 + rng.int(26));
  return key;
}

export function kvExample(pairs: readonly (readonly [string, string])[], queryIndex: number): TaskExample {
  const context = pairs.map(([k, v]) => `${k}=${v}`).join(' ');
  const [queryKey, value] = pairs[queryIndex];
  return { prompt: `${context} ?${queryKey}=`, answer: value + KV_TERMINATOR };
}

function drawExample(rng: Rng, pairCount: number): TaskExample {
  const keys = new Set<string>();
  while (keys.size < pairCount) keys.add(randomKey(rng));
  const pairs = [...keys].map((k) => [k, String(rng.int(100)).padStart(2, '0')] as const);
  return kvExample(pairs, rng.int(pairCount));
}

export function makeKvTask(options: KvOptions): ExactMatchTask {
  const { seed, trainSize, testSize } = options;
  const pairCount = options.pairs ?? KV_PAIRS;
  checkSize('KV pairs', pairCount, 16);
  checkSize('KV testSize', testSize, KV_MAX_TEST_SIZE);
  checkSize('KV trainSize', trainSize, KV_MAX_TRAIN_SIZE);
  const testRng = new Rng(deriveSeed(seed, 'KV/test'));
  const testKeys = new Set<string>();
  const test = sampleDistinct(testSize, () => drawExample(testRng, pairCount), (ex) => ex.prompt, new Set(), testKeys);
  const trainRng = new Rng(deriveSeed(seed, 'KV/train'));
  const train = sampleDistinct(trainSize, () => drawExample(trainRng, pairCount), (ex) => ex.prompt, testKeys);
  return { name: 'KV', train, test, maxAnswerLength: 3, terminator: KV_TERMINATOR };
}
