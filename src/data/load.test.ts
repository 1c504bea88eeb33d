// The page loader against an in-memory origin (fetch) and Cache API: progress, checksums, caching.
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCorpus } from './corpus.fixture';
import { DataFileError } from './corpus';
import { loadCorpus, type LoadProgress } from './load';
import type { DataFileName, Manifest } from './manifest';

const BASE = 'https://lab.example/app/data/';
const FILES: DataFileName[] = ['domain-test', 'imdb-labels'];

class MemoryCache {
  readonly entries = new Map<string, Uint8Array>();
  async match(key: string): Promise<Response | undefined> {
    const bytes = this.entries.get(key);
    return bytes ? new Response(bytes.slice() as Uint8Array<ArrayBuffer>) : undefined;
  }
  async put(key: string, response: Response): Promise<void> {
    this.entries.set(key, new Uint8Array(await response.arrayBuffer()));
  }
  async delete(key: string | Request): Promise<boolean> {
    return this.entries.delete(typeof key === 'string' ? key : key.url);
  }
  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((key) => new Request(key));
  }
}

function memoryCaches(cache: MemoryCache): CacheStorage {
  return { open: async () => cache } as unknown as CacheStorage;
}

/** An origin serving `files` (URL -> bytes), counting requests per URL. */
function memoryOrigin(files: Map<string, Uint8Array>) {
  const requests: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requests.push(url);
    const bytes = files.get(url);
    if (!bytes) return new Response('not found', { status: 404 });
    const chunks = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk.slice());
        controller.close();
      },
    });
    return new Response(body);
  }) as typeof fetch;
  return { fetchFn, requests };
}

let manifest: Manifest;
let served: Map<string, Uint8Array>;

beforeAll(async () => {
  const corpus = await builtCorpus(FILES);
  manifest = corpus.manifest;
  served = new Map([[`${BASE}manifest.json`, new TextEncoder().encode(JSON.stringify(manifest))]]);
  for (const name of FILES) served.set(`${BASE}${name}.bin`, corpus.files[name]!);
});

describe('loadCorpus (page)', () => {
  it('downloads, verifies and reports progress up to the total', async () => {
    const { fetchFn } = memoryOrigin(served);
    const progress: LoadProgress[] = [];
    const corpus = await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: null, onProgress: (p) => progress.push(p) });
    const total = FILES.reduce((n, f) => n + manifest.files[f].bytes, 0);
    expect(corpus.files['domain-test']).toEqual(served.get(`${BASE}domain-test.bin`));
    expect(progress.length).toBeGreaterThanOrEqual(4); // two chunks per file
    expect(progress.every((p) => p.totalBytes === total && !p.fromCache)).toBe(true);
    expect(progress.map((p) => p.receivedBytes)).toEqual([...progress.map((p) => p.receivedBytes)].sort((a, b) => a - b));
    expect(progress.at(-1)!.receivedBytes).toBe(total);
  });

  it('reads a second load from the cache without downloading, and re-verifies it', async () => {
    const cache = new MemoryCache();
    const first = memoryOrigin(served);
    await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: first.fetchFn, cacheStorage: memoryCaches(cache) });
    expect(cache.entries.size).toBe(2);

    const second = memoryOrigin(served);
    const progress: LoadProgress[] = [];
    await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: second.fetchFn, cacheStorage: memoryCaches(cache), onProgress: (p) => progress.push(p) });
    expect(second.requests).toEqual([`${BASE}manifest.json`]);
    expect(progress.every((p) => p.fromCache)).toBe(true);

    const key = [...cache.entries.keys()].find((k) => k.includes('imdb-labels'))!;
    cache.entries.get(key)![0] ^= 1; // a corrupt cache entry is dropped and downloaded again
    const third = memoryOrigin(served);
    const corpus = await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: third.fetchFn, cacheStorage: memoryCaches(cache) });
    expect(third.requests).toEqual([`${BASE}manifest.json`, `${BASE}imdb-labels.bin`]);
    expect(corpus.files['imdb-labels']).toEqual(served.get(`${BASE}imdb-labels.bin`));
    expect(cache.entries.get(key)).toEqual(served.get(`${BASE}imdb-labels.bin`));
  });

  it('names a missing file (HTTP 404) and the fix', async () => {
    const partial = new Map(served);
    partial.delete(`${BASE}imdb-labels.bin`);
    const { fetchFn } = memoryOrigin(partial);
    const err = await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toBe(
      `Data file ${BASE}imdb-labels.bin could not be fetched (HTTP 404). Rebuild the corpus with \`npm run data\` (it writes public/data/).`,
    );
  });

  it('names a corrupt download and the fix, and does not cache it', async () => {
    const bad = new Map(served);
    const bytes = served.get(`${BASE}domain-test.bin`)!.slice();
    bytes[5] = 0;
    bad.set(`${BASE}domain-test.bin`, bytes);
    const cache = new MemoryCache();
    const { fetchFn } = memoryOrigin(bad);
    await expect(loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: memoryCaches(cache) })).rejects.toThrow(
      /domain-test\.bin is corrupt: sha256 .*npm run data/,
    );
    expect([...cache.entries.keys()].some((k) => k.includes('domain-test'))).toBe(false);
  });

  it('names a missing manifest and the fix', async () => {
    const { fetchFn } = memoryOrigin(new Map());
    await expect(loadCorpus({ baseUrl: BASE, fetchFn, cacheStorage: null })).rejects.toThrow(/manifest\.json could not be fetched \(HTTP 404\).*npm run data/);
  });
});
