// Node-only corpus loading (tests, CLI): reads public/data/ from disk and verifies it like the page does.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataFileError, verifyDataFile, type Corpus } from './corpus';
import { DATA_FILE_NAMES, MANIFEST_NAME, parseManifest, type DataFileName, type Manifest } from './manifest';

/** public/data under the working directory (the repository root for npm scripts, tests and the CLI). */
export function defaultDataDir(): string {
  return resolve('public', 'data');
}

async function readOrExplain(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(path, code === 'ENOENT' ? 'is missing' : `could not be read (${code ?? String(err)})`);
  }
}

export async function readManifestFromDisk(dir = defaultDataDir()): Promise<Manifest> {
  const path = join(dir, MANIFEST_NAME);
  const text = (await readOrExplain(path)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DataFileError(path, 'is not valid JSON');
  }
  return parseManifest(json, path);
}

export interface DiskLoadOptions {
  dir?: string;
  /** Which files to load (default: all). */
  files?: readonly DataFileName[];
}

/** Loads and verifies (size + sha256) the manifest and the requested files. */
export async function loadCorpusFromDisk(options: DiskLoadOptions = {}): Promise<Corpus> {
  const dir = options.dir ?? defaultDataDir();
  const manifest = await readManifestFromDisk(dir);
  const corpus: Corpus = { manifest, files: {} };
  for (const name of options.files ?? DATA_FILE_NAMES) {
    const path = join(dir, manifest.files[name].path);
    const buffer = await readOrExplain(path);
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    await verifyDataFile(manifest, name, bytes, path);
    corpus.files[name] = bytes;
  }
  return corpus;
}
