// Probe sets for linear separability (science.md, "linear-probe accuracy per layer"): texts with class
// labels, balanced, with disjoint seeded train/test splits. The engine runs each text and takes the
// last-token hidden state at every layer; a logistic regression is fit on train and scored on test.
//   sentiment: IMDB review tails (2 classes) from the manifest's probe pool (never used by SENT); the last
//              `chars` characters of each tail.
//   genre:     non-overlapping `chars`-character chunks of the Brown files held out of pretraining, labelled
//              by super-genre (4 classes, manifest.brownSuperGenres); train and test chunks come from
//              different files (a seeded third of each class's files is test).
import { documentsOf, documentText, imdbRecords, type Corpus, type CorpusDocument } from './corpus';
import { seededPermutation } from './sampler';
import { deriveSeed } from './tasks/common';

export interface ProbeSplit {
  texts: string[];
  labels: number[];
  /** What each text was cut from (a review, or a Brown file for genre chunks): the probe's cross-validation
   *  keeps a group's texts in one fold, so chunks of one file never sit on both sides of a fold. */
  groups: number[];
}

/** A text and the source it was cut from. */
interface Item {
  text: string;
  group: number;
}

export interface ProbeSet {
  name: 'sentiment' | 'genre';
  classes: string[];
  train: ProbeSplit;
  test: ProbeSplit;
}

export interface ProbeOptions {
  seed: number;
  /** Characters per text (default 128: one context of the default presets). */
  chars?: number;
  /** Cap on examples per class in each split (default: as many as the balanced data allows). */
  perClassTrain?: number;
  perClassTest?: number;
}

/** Takes the same number of items from each class (the smallest class's count, or `cap`), seeded. */
function balance(byClass: Item[][], seed: number, cap = Infinity): ProbeSplit {
  const perClass = Math.min(cap, ...byClass.map((items) => items.length));
  const split: ProbeSplit = { texts: [], labels: [], groups: [] };
  const picked = byClass.flatMap((items, label) =>
    Array.from(seededPermutation(items.length, deriveSeed(seed, `class${label}`)).subarray(0, perClass), (i) => ({ ...items[i], label })),
  );
  for (const i of seededPermutation(picked.length, deriveSeed(seed, 'mix'))) {
    split.texts.push(picked[i].text);
    split.labels.push(picked[i].label);
    split.groups.push(picked[i].group);
  }
  return split;
}

export function makeSentimentProbe(corpus: Corpus, options: ProbeOptions): ProbeSet {
  const chars = options.chars ?? 128;
  const { tails, labels } = imdbRecords(corpus);
  const [start, end] = corpus.manifest.imdb.probePool;
  const order = seededPermutation(end - start, deriveSeed(options.seed, 'probe/sentiment'));
  const testCount = Math.floor(order.length / 4);
  const byClass = (indices: Uint32Array): Item[][] => {
    const out: Item[][] = [[], []];
    for (const i of indices) out[labels[start + i]].push({ text: tails[start + i].slice(-chars), group: start + i });
    return out;
  };
  return {
    name: 'sentiment',
    classes: ['negative', 'positive'],
    train: balance(byClass(order.subarray(testCount)), deriveSeed(options.seed, 'train'), options.perClassTrain),
    test: balance(byClass(order.subarray(0, testCount)), deriveSeed(options.seed, 'test'), options.perClassTest),
  };
}

/** Non-overlapping `chars`-character chunks of a document, grouped by `group` (the file's index). */
function chunksOf(doc: CorpusDocument, chars: number, group: number): Item[] {
  const text = documentText(doc);
  const out: Item[] = [];
  for (let at = 0; at + chars <= text.length; at += chars) out.push({ text: text.slice(at, at + chars), group });
  return out;
}

export function makeGenreProbe(corpus: Corpus, options: ProbeOptions): ProbeSet {
  const chars = options.chars ?? 128;
  const superGenres = Object.entries(corpus.manifest.brownSuperGenres);
  const docs = documentsOf(corpus, 'probe-brown');
  const train: Item[][] = [];
  const test: Item[][] = [];
  superGenres.forEach(([name, genres], label) => {
    const files = docs.filter((doc) => genres.includes(doc.entry.genre ?? ''));
    const order = seededPermutation(files.length, deriveSeed(options.seed, `probe/genre/${name}`));
    const testFiles = Math.max(1, Math.round(files.length / 3));
    const chunks = (i: number) => chunksOf(files[i], chars, docs.indexOf(files[i]));
    test[label] = Array.from(order.subarray(0, testFiles), chunks).flat();
    train[label] = Array.from(order.subarray(testFiles), chunks).flat();
  });
  return {
    name: 'genre',
    classes: superGenres.map(([name]) => name),
    train: balance(train, deriveSeed(options.seed, 'train'), options.perClassTrain),
    test: balance(test, deriveSeed(options.seed, 'test'), options.perClassTest),
  };
}
