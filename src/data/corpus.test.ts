import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCorpus } from './corpus.fixture';
import { DataFileError, documentsOf, imdbRecords, sha256Hex, type Corpus } from './corpus';
import { DATA_FILE_NAMES, TEXT_FILE_NAMES, type Manifest } from './manifest';
import { defaultDataDir, loadCorpusFromDisk } from './node';
import { isTextId } from './tokenizer';

let corpus: Corpus;
let manifest: Manifest;

beforeAll(async () => {
  corpus = await builtCorpus();
  manifest = corpus.manifest;
});

describe('the built corpus', () => {
  it('has every file the manifest lists, with its size and sha256', async () => {
    for (const name of DATA_FILE_NAMES) {
      const bytes = new Uint8Array(readFileSync(join(defaultDataDir(), manifest.files[name].path)));
      expect(bytes.length, name).toBe(manifest.files[name].bytes);
      expect(await sha256Hex(bytes), name).toBe(manifest.files[name].sha256);
    }
  });

  it('is pure vocabulary text (no UNK, no PAD) in every text file', () => {
    for (const name of [...TEXT_FILE_NAMES, 'imdb-tails'] as const) {
      const bytes = corpus.files[name]!;
      let bad = -1;
      for (let i = 0; i < bytes.length && bad < 0; i++) if (!isTextId(bytes[i])) bad = i;
      expect(bad, `${name}: first non-text byte`).toBe(-1);
    }
  });

  it('puts no document in two splits, and the split lists match the files', () => {
    const seen = new Map<string, string>();
    for (const [split, ids] of Object.entries(manifest.splits)) {
      for (const id of ids) {
        expect(seen.get(id), `${id} in ${split}`).toBeUndefined();
        seen.set(id, split);
      }
    }
    const fileOf = { train: 'train', validation: 'validation', domainTrain: 'domain-train', domainTest: 'domain-test', probeBrown: 'probe-brown' } as const;
    for (const [split, file] of Object.entries(fileOf)) {
      expect(manifest.files[file].docs!.map((d) => d.id)).toEqual(manifest.splits[split as keyof typeof fileOf]);
    }
    const sourceDocs = manifest.sources.filter((s) => s.id !== 'imdb').reduce((n, s) => n + s.documents, 0);
    expect(seen.size).toBe(sourceDocs); // every Gutenberg book, speech and Brown file is somewhere
  });

  it('keeps the DOMAIN books out of pretraining and validation, and probe files out of pretraining', () => {
    const pretraining = new Set([...manifest.splits.train, ...manifest.splits.validation]);
    for (const id of [...manifest.splits.domainTrain, ...manifest.splits.domainTest, ...manifest.splits.probeBrown]) {
      expect(pretraining.has(id), id).toBe(false);
    }
    expect(manifest.splits.domainTest).toContain('gutenberg/shakespeare-macbeth');
    expect(manifest.splits.probeBrown.length).toBe(48);
  });

  it('document ranges lie inside their files and are separated by a blank line', () => {
    for (const name of TEXT_FILE_NAMES) {
      const docs = documentsOf(corpus, name);
      let end = -2;
      for (const doc of docs) {
        expect(doc.entry.offset, doc.entry.id).toBe(end + 2);
        end = doc.entry.offset + doc.entry.length;
      }
      expect(end, name).toBe(manifest.files[name].bytes);
    }
  });

  it('cut the Project Gutenberg licence and stripped the Brown tags', () => {
    const text = new TextDecoder().decode(corpus.files.train);
    expect(text).not.toMatch(/Project Gutenberg|gutenberg\.(?:org|net)|SMALL PRINT/i);
    const ca01 = documentsOf(corpus, 'train').find((d) => d.entry.id === 'brown/ca01')
      ?? documentsOf(corpus, 'validation').find((d) => d.entry.id === 'brown/ca01')
      ?? documentsOf(corpus, 'probe-brown').find((d) => d.entry.id === 'brown/ca01');
    expect(new TextDecoder().decode(ca01!.tokens).startsWith('The Fulton County Grand Jury said Friday')).toBe(true);
    expect(text).not.toMatch(/\b[A-Za-z]+\/(?:at|nn|np|vbd|jj)\b/);
  });

  it('has IMDB tails and labels that agree, with disjoint SENT and probe pools', () => {
    const { tails, labels } = imdbRecords(corpus);
    expect(tails.length).toBe(manifest.imdb.records);
    expect(labels.reduce((n, l) => n + l, 0)).toBe(manifest.imdb.positive);
    expect(Math.max(...tails.map((t) => t.length))).toBe(manifest.imdb.tailChars);
    expect(manifest.imdb.sentPool[1]).toBe(manifest.imdb.probePool[0]);
    expect(manifest.imdb.probePool[1]).toBe(manifest.imdb.records);
    expect(new Set(tails.map((t) => t.slice(-64))).size).toBe(tails.length); // no 64-char suffix repeats
  });
});

describe('loading a damaged data folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plasticity-data-'));
    for (const file of ['manifest.json', 'domain-test.bin', 'imdb-labels.bin']) copyFileSync(join(defaultDataDir(), file), join(dir, file));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads intact files', async () => {
    const loaded = await loadCorpusFromDisk({ dir, files: ['domain-test', 'imdb-labels'] });
    expect(loaded.files['domain-test']!.length).toBe(loaded.manifest.files['domain-test'].bytes);
  });

  it('names a missing file and the fix', async () => {
    const err = await loadCorpusFromDisk({ dir, files: ['domain-train'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toContain(join(dir, 'domain-train.bin'));
    expect((err as Error).message).toMatch(/is missing.*npm run data/);
  });

  it('names a corrupt file (same size, one byte changed) and the fix', async () => {
    const path = join(dir, 'imdb-labels.bin');
    const bytes = readFileSync(path);
    bytes[100] ^= 1;
    writeFileSync(path, bytes);
    const err = await loadCorpusFromDisk({ dir, files: ['imdb-labels'] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`${path.replace(/[/.]/g, '\\$&')} is corrupt: sha256 .*npm run data`));
  });

  it('names a truncated file and the fix', async () => {
    const path = join(dir, 'domain-test.bin');
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    await expect(loadCorpusFromDisk({ dir, files: ['domain-test'] })).rejects.toThrow(/domain-test\.bin has 1000 bytes.*npm run data/);
  });

  it('names a missing or invalid manifest and the fix', async () => {
    await expect(loadCorpusFromDisk({ dir: join(dir, 'nowhere') })).rejects.toThrow(/manifest\.json is missing.*npm run data/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 1 }));
    await expect(loadCorpusFromDisk({ dir })).rejects.toThrow(/manifest\.json is invalid.*npm run data/);
  });
});
