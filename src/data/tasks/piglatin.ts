// PIGLATIN: rule-based translation of windows of real English words (default 3) taken from text.
//   prompt `the quick brown=`   answer `ethay ickquay ownbray\n`
// Words: whitespace-separated tokens with leading/trailing punctuation stripped that are then 1..12 ASCII
// letters; lowercased. A window is `windowWords` consecutive such tokens (any other token breaks it).
// Rule per word: starts with a vowel (a e i o u) -> word + "yay"; otherwise move the leading consonants up to
// the first vowel (y counts as a vowel after the first letter; "qu" moves as one) to the end and add "ay";
// no vowel at all -> word + "ay".   apple -> appleyay, string -> ingstray, quick -> ickquay, rhythm -> ythmrhay.
// Train and test windows come from disjoint documents (a seeded fifth of them for test), and no test prompt
// is in the training set.
import { Rng } from '../../util/rng';
import { seededPermutation } from '../sampler';
import { checkSize, deriveSeed, sampleDistinct } from './common';
import type { ExactMatchTask, TaskExample, TaskSizeOptions } from './types';

export const PIGLATIN_TERMINATOR = '\n';
export const MAX_WORD_LETTERS = 12;
/**
 * The most test and training examples PIGLATIN draws (the sweep schema checks them too). Distinct windows are
 * finite: on the built corpus (3-word windows, seeds 0-2) a seed's test fifth of the documents holds 420K-520K,
 * the other four fifths 2.1M-2.2M; these leave a 4x and 2x margin so sampling never runs dry.
 */
export const PIGLATIN_MAX_TEST_SIZE = 100_000;
export const PIGLATIN_MAX_TRAIN_SIZE = 1_000_000;
const VOWELS = 'aeiou';

export interface PigLatinOptions extends TaskSizeOptions {
  /** Source text, one string per document (e.g. the training split's documents). */
  documents: readonly string[];
  windowWords?: number;
}

export function pigLatinWord(word: string): string {
  if (VOWELS.includes(word[0])) return word + 'yay';
  let i = 1;
  while (i < word.length && !(VOWELS + 'y').includes(word[i])) i++;
  if (i < word.length && word[i] === 'u' && word[i - 1] === 'q') i++;
  if (i >= word.length) return word + 'ay';
  return word.slice(i) + word.slice(0, i) + 'ay';
}

export function pigLatinExample(words: readonly string[]): TaskExample {
  return { prompt: `${words.join(' ')}=`, answer: words.map(pigLatinWord).join(' ') + PIGLATIN_TERMINATOR };
}

/** A token as a pig-latin word (lowercase letters), or undefined if it is not one. */
export function cleanWord(token: string): string | undefined {
  const core = token.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
  return core.length >= 1 && core.length <= MAX_WORD_LETTERS && /^[A-Za-z]+$/.test(core) ? core.toLowerCase() : undefined;
}

/** The first window of `count` words starting at or after `position` in `text`, if one starts nearby. */
export function wordWindowAt(text: string, position: number, count: number): string[] | undefined {
  const tokens = text.slice(position, position + 40 * count).split(/\s+/).slice(1); // drop the partial first token
  for (let start = 0; start + count <= tokens.length && start < 8; start++) {
    const words = tokens.slice(start, start + count).map(cleanWord);
    if (words.every((w) => w !== undefined)) return words as string[];
  }
  return undefined;
}

/** Draws windows from documents with probability proportional to their length. */
function windowDrawer(docs: readonly string[], rng: Rng, count: number): () => TaskExample | undefined {
  const ends: number[] = [];
  let total = 0;
  for (const doc of docs) ends.push((total += doc.length));
  return () => {
    const at = rng.int(total);
    let d = 0;
    while (ends[d] <= at) d++;
    const words = wordWindowAt(docs[d], at - (ends[d] - docs[d].length), count);
    return words ? pigLatinExample(words) : undefined;
  };
}

export function makePigLatinTask(options: PigLatinOptions): ExactMatchTask {
  const { seed, trainSize, testSize, documents } = options;
  const windowWords = options.windowWords ?? 3;
  checkSize('PIGLATIN windowWords', windowWords, 6);
  checkSize('PIGLATIN testSize', testSize, PIGLATIN_MAX_TEST_SIZE);
  checkSize('PIGLATIN trainSize', trainSize, PIGLATIN_MAX_TRAIN_SIZE);
  if (documents.length < 2) throw new RangeError('PIGLATIN needs at least 2 documents (train and test come from different ones)');
  const order = seededPermutation(documents.length, deriveSeed(seed, 'PIGLATIN/docs'));
  const testDocCount = Math.max(1, Math.round(documents.length / 5));
  const testDocs = Array.from(order.subarray(0, testDocCount), (i) => documents[i]);
  const trainDocs = Array.from(order.subarray(testDocCount), (i) => documents[i]);
  const testKeys = new Set<string>();
  const drawTest = windowDrawer(testDocs, new Rng(deriveSeed(seed, 'PIGLATIN/test')), windowWords);
  const test = sampleDistinct(testSize, drawTest, (ex) => ex.prompt, new Set(), testKeys);
  const drawTrain = windowDrawer(trainDocs, new Rng(deriveSeed(seed, 'PIGLATIN/train')), windowWords);
  const train = sampleDistinct(trainSize, drawTrain, (ex) => ex.prompt, testKeys);
  const maxAnswerLength = windowWords * (MAX_WORD_LETTERS + 3) + (windowWords - 1) + PIGLATIN_TERMINATOR.length;
  return { name: 'PIGLATIN', train, test, maxAnswerLength, terminator: PIGLATIN_TERMINATOR };
}
