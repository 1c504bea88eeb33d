// Test helper: the built corpus in public/data (built here if missing or stale, as `npm run data` would).
import { buildData } from '../../tools/data/build';
import type { Corpus } from './corpus';
import type { DataFileName } from './manifest';
import { loadCorpusFromDisk } from './node';

let built: Promise<unknown> | undefined;

export async function builtCorpus(files?: readonly DataFileName[]): Promise<Corpus> {
  built ??= buildData();
  await built;
  return loadCorpusFromDisk({ files });
}
