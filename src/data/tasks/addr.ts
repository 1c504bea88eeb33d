// ADD-R: 3-digit addition with the sum's digits reversed (least significant first), the order in which a
// left-to-right model can compute the carries.
//   prompt `347+125=`   answer `274\n`   (347 + 125 = 472; 999+999 = 1998 -> `8991\n`)
// Operands are uniform in 100..999. A test example's unordered operand pair {a, b} never appears in the
// training set in either order. The test set depends only on (seed, testSize); the training set for a
// smaller trainSize is a prefix of the one for a larger trainSize (same seed), so size sweeps are nested.
import { Rng } from '../../util/rng';
import { checkSize, deriveSeed, sampleDistinct } from './common';
import type { ExactMatchTask, TaskExample, TaskSizeOptions } from './types';

export const ADDR_TERMINATOR = '\n';
/** Unordered pairs of 3-digit operands; train + test must stay well below this. */
const PAIR_SPACE = (900 * 901) / 2;
/** The most test examples ADD-R generates: a quarter of the operand pairs (the sweep schema checks it too). */
export const ADDR_MAX_TEST_SIZE = Math.floor(PAIR_SPACE / 4);
/** The most training examples: half of the pairs, so train + test stay within three quarters of them. */
export const ADDR_MAX_TRAIN_SIZE = Math.floor(PAIR_SPACE / 2);

export function addrAnswer(a: number, b: number): string {
  return String(a + b).split('').reverse().join('') + ADDR_TERMINATOR;
}

export function addrExample(a: number, b: number): TaskExample {
  return { prompt: `${a}+${b}=`, answer: addrAnswer(a, b) };
}

/** The unordered operand pair of an ADD-R prompt: the disjointness key. */
export function addrPairKey(prompt: string): string {
  const [a, b] = prompt.slice(0, -1).split('+').map(Number);
  return a <= b ? `${a}+${b}` : `${b}+${a}`;
}

function drawExample(rng: Rng): TaskExample {
  return addrExample(100 + rng.int(900), 100 + rng.int(900));
}

export function makeAddRTask(options: TaskSizeOptions): ExactMatchTask {
  const { seed, trainSize, testSize } = options;
  checkSize('ADD-R testSize', testSize, ADDR_MAX_TEST_SIZE);
  checkSize('ADD-R trainSize', trainSize, ADDR_MAX_TRAIN_SIZE);
  const testRng = new Rng(deriveSeed(seed, 'ADD-R/test'));
  const testKeys = new Set<string>();
  const test = sampleDistinct(testSize, () => drawExample(testRng), (ex) => addrPairKey(ex.prompt), new Set(), testKeys);
  const trainRng = new Rng(deriveSeed(seed, 'ADD-R/train'));
  const train = sampleDistinct(trainSize, () => drawExample(trainRng), (ex) => addrPairKey(ex.prompt), testKeys);
  return { name: 'ADD-R', train, test, maxAnswerLength: 5, terminator: ADDR_TERMINATOR };
}
