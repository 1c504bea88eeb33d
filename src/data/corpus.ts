// The loaded corpus: the manifest plus the data files, each checked against the manifest's size and sha256.
// Shared by the page loader (load.ts) and the Node loader (node.ts); no I/O here.
import { decode } from './tokenizer';
import {
  DATA_FILE_NAMES,
  type DataFileName,
  type DocEntry,
  type Manifest,
  type TextFileName,
} from './manifest';

export const REBUILD_FIX = 'Rebuild the corpus with `npm run data` (it writes public/data/).';

/** A data file that is missing, truncated or corrupt. `file` names it as the caller knows it (path or URL). */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    /** What the user can do about it: rebuild the corpus unless the problem is the network's. */
    fix = REBUILD_FIX,
  ) {
    super(`Data file ${file} ${problem}. ${fix}`);
    this.name = 'DataFileError';
  }
}

export interface Corpus {
  manifest: Manifest;
  files: Partial<Record<DataFileName, Uint8Array>>;
}

export interface CorpusDocument {
  entry: DocEntry;
  tokens: Uint8Array; // a view into the file
}

/** Lowercase hex sha256 through Web Crypto (browsers and Node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws DataFileError unless `bytes` has the size and sha256 the manifest lists for `name`. */
export async function verifyDataFile(
  manifest: Manifest,
  name: DataFileName,
  bytes: Uint8Array,
  where: string,
): Promise<void> {
  const entry = manifest.files[name];
  if (bytes.length !== entry.bytes) {
    throw new DataFileError(where, `has ${bytes.length} bytes, the manifest says ${entry.bytes} (truncated or stale)`);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new DataFileError(where, `is corrupt: sha256 ${actual.slice(0, 12)}..., manifest ${entry.sha256.slice(0, 12)}...`);
  }
}

export function isDataFileName(name: string): name is DataFileName {
  return (DATA_FILE_NAMES as readonly string[]).includes(name);
}

/** The bytes of a file the corpus was loaded with; throws naming the file if it was not loaded. */
export function requireFile(corpus: Corpus, name: DataFileName): Uint8Array {
  const bytes = corpus.files[name];
  if (!bytes) throw new Error(`Corpus file "${name}" was not loaded; pass it in the loader's \`files\` list.`);
  return bytes;
}

/** The documents of a text file, as views into its tokens, in file order. */
export function documentsOf(corpus: Corpus, name: TextFileName): CorpusDocument[] {
  const bytes = requireFile(corpus, name);
  const docs = corpus.manifest.files[name].docs ?? [];
  return docs.map((entry) => ({ entry, tokens: bytes.subarray(entry.offset, entry.offset + entry.length) }));
}

export function documentText(doc: CorpusDocument): string {
  return decode(doc.tokens);
}

export interface ImdbRecords {
  tails: string[];
  labels: Uint8Array; // 0 negative, 1 positive
}

/** IMDB tails (one per line in imdb-tails) with their labels; checks that the two files agree. */
export function imdbRecords(corpus: Corpus): ImdbRecords {
  const text = decode(requireFile(corpus, 'imdb-tails'));
  const labels = requireFile(corpus, 'imdb-labels');
  const tails = text.length === 0 ? [] : text.split('\n');
  if (tails.length !== labels.length || tails.length !== corpus.manifest.imdb.records) {
    throw new DataFileError(
      'imdb-tails.bin / imdb-labels.bin',
      `disagree: ${tails.length} tails, ${labels.length} labels, manifest ${corpus.manifest.imdb.records}`,
    );
  }
  return { tails, labels };
}
