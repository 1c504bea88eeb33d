// Assigns whole documents (a book, a speech, a Brown file) to the splits. Deterministic: fixed lists plus a
// seeded shuffle of the Brown files. No document is in two splits.
//   domain-train / domain-test  Gutenberg verse and drama (Shakespeare, Milton, Blake, Whitman): never in
//                               pretraining or validation, a different domain from the prose that is.
//   validation                  one Gutenberg book whose author stays in train (Chesterton), every 20th
//                               State of the Union address, and about 6% of the remaining Brown files.
//   probe-brown                 12 Brown files from each of the 4 super-genres (genre probe), never pretrained on.
//   train                       everything else.
import { Rng } from '../../src/util/rng';
import { BROWN_SUPER_GENRES, superGenreOf } from './brown';
import type { SourceDocument } from './sources';

export const SPLIT_SEED = 20260211;
export const DOMAIN_TRAIN_BOOKS = ['shakespeare-caesar', 'shakespeare-hamlet', 'milton-paradise', 'whitman-leaves'];
export const DOMAIN_TEST_BOOKS = ['shakespeare-macbeth', 'blake-poems'];
export const VALIDATION_BOOKS = ['chesterton-thursday'];
export const SOTU_VALIDATION_EVERY = 20;
export const BROWN_PROBE_FILES_PER_SUPER_GENRE = 12;
export const BROWN_VALIDATION_FRACTION = 0.06;

export const DOMAIN_DESCRIPTION =
  'Verse and drama from Project Gutenberg, held out of pretraining and validation: train = ' +
  `${DOMAIN_TRAIN_BOOKS.join(', ')}; test = ${DOMAIN_TEST_BOOKS.join(', ')}. The pretraining text is prose ` +
  '(novels, the King James Bible, speeches, Brown).';

export interface Splits {
  train: SourceDocument[];
  validation: SourceDocument[];
  domainTrain: SourceDocument[];
  domainTest: SourceDocument[];
  probeBrown: SourceDocument[];
}

function bookName(doc: SourceDocument): string {
  return doc.id.slice('gutenberg/'.length);
}

function splitGutenberg(docs: readonly SourceDocument[], splits: Splits): void {
  for (const doc of docs) {
    const name = bookName(doc);
    if (DOMAIN_TRAIN_BOOKS.includes(name)) splits.domainTrain.push(doc);
    else if (DOMAIN_TEST_BOOKS.includes(name)) splits.domainTest.push(doc);
    else if (VALIDATION_BOOKS.includes(name)) splits.validation.push(doc);
    else splits.train.push(doc);
  }
}

/** Speeches in year order; every SOTU_VALIDATION_EVERY-th (starting at the 10th) goes to validation. */
function splitSotu(docs: readonly SourceDocument[], splits: Splits): void {
  const start = Math.floor(SOTU_VALIDATION_EVERY / 2);
  docs.forEach((doc, i) => {
    const toValidation = i % SOTU_VALIDATION_EVERY === start;
    (toValidation ? splits.validation : splits.train).push(doc);
  });
}

/** Per super-genre, a seeded shuffle of its files: the first 12 to the probe, then ~6% to validation. */
function splitBrown(docs: readonly SourceDocument[], seed: number, splits: Splits): void {
  const rng = new Rng(seed);
  for (const superGenre of Object.keys(BROWN_SUPER_GENRES)) {
    const files = rng.shuffle(docs.filter((doc) => superGenreOf(doc.genre ?? '') === superGenre));
    const probe = files.slice(0, BROWN_PROBE_FILES_PER_SUPER_GENRE);
    const rest = files.slice(BROWN_PROBE_FILES_PER_SUPER_GENRE);
    const validationCount = Math.round(rest.length * BROWN_VALIDATION_FRACTION);
    splits.probeBrown.push(...probe);
    splits.validation.push(...rest.slice(0, validationCount));
    splits.train.push(...rest.slice(validationCount));
  }
}

const byId = (a: SourceDocument, b: SourceDocument): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const SOURCE_ORDER = ['gutenberg', 'sotu', 'brown'];
const bySourceThenId = (a: SourceDocument, b: SourceDocument): number =>
  SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source) || byId(a, b);

export function assignSplits(
  gutenberg: readonly SourceDocument[],
  sotu: readonly SourceDocument[],
  brown: readonly SourceDocument[],
  seed = SPLIT_SEED,
): Splits {
  const splits: Splits = { train: [], validation: [], domainTrain: [], domainTest: [], probeBrown: [] };
  splitGutenberg([...gutenberg].sort(byId), splits);
  splitSotu([...sotu].sort(byId), splits);
  splitBrown([...brown].sort(byId), seed, splits);
  for (const list of Object.values(splits)) list.sort(bySourceThenId);
  return splits;
}
