// The page loader against an in-memory origin (fetch) and Cache API: progress, checksums, caching.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtCorpus } from './corpus.fixture';
import { DataFileError } from './corpus';
import { DataDownloadError, loadCorpus, RETRY_FIX, type LoadProgress } from './load';
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

  it('names the file and asks for a retry, not a rebuild, when a download breaks off mid-transfer', async () => {
    const url = `${BASE}domain-test.bin`;
    const bytes = served.get(url)!;
    const fetchFn = (async (input: RequestInfo | URL) => {
      if (String(input) !== url) return memoryOrigin(served).fetchFn(input);
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new TypeError('network error'));
          controller.enqueue(bytes.slice(0, 1000));
          sent = true;
        },
      });
      return new Response(body);
    }) as typeof fetch;
    const err = await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDownloadError);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toBe(url);
    expect((err as Error).message).toBe(
      `Data file ${url} broke off after 1000 of ${bytes.length} bytes (TypeError: network error). ${RETRY_FIX}`,
    );
  });

  it('asks for a retry, not a rebuild, on HTTP 5xx and network failures; keeps the rebuild hint for 404', async () => {
    const failing = (status: number | 'offline') =>
      (async (input: RequestInfo | URL) => {
        if (!String(input).endsWith('imdb-labels.bin')) return memoryOrigin(served).fetchFn(input);
        if (status === 'offline') throw new TypeError('Failed to fetch');
        return new Response('', { status });
      }) as typeof fetch;
    const messageOf = async (status: number | 'offline') =>
      ((await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: failing(status), cacheStorage: null }).catch((e: unknown) => e)) as Error).message;
    for (const status of [500, 503] as const) {
      expect(await messageOf(status)).toBe(`Data file ${BASE}imdb-labels.bin could not be fetched (HTTP ${status}). ${RETRY_FIX}`);
    }
    expect(await messageOf('offline')).toBe(`Data file ${BASE}imdb-labels.bin could not be fetched (TypeError: Failed to fetch). ${RETRY_FIX}`);
    expect(await messageOf(404)).toMatch(/could not be fetched \(HTTP 404\)\. Rebuild the corpus with `npm run data`/);
    expect(await messageOf(500)).not.toMatch(/npm run data/);
  });
});

describe('loadCorpus (page) with a Cache API that refuses', () => {
  afterEach(() => vi.restoreAllMocks());

  const refuse = (name: string) => () => Promise.reject(new DOMException(`refused (${name})`, name));

  /** A cache whose `op` rejects with `error` (a DOMException name), counting calls per operation. */
  function refusingCache(op: 'match' | 'put' | 'delete' | 'keys', error: string, cache = new MemoryCache()) {
    const calls: string[] = [];
    const wrapped = {
      match: (key: string) => (calls.push('match'), op === 'match' ? refuse(error)() : cache.match(key)),
      put: (key: string, response: Response) => (calls.push('put'), op === 'put' ? refuse(error)() : cache.put(key, response)),
      delete: (key: string) => (calls.push('delete'), op === 'delete' ? refuse(error)() : cache.delete(key)),
      keys: () => (calls.push('keys'), op === 'keys' ? refuse(error)() : cache.keys()),
    };
    return { cache, calls, storage: { open: async () => wrapped } as unknown as CacheStorage };
  }

  const expectLoaded = (files: Awaited<ReturnType<typeof loadCorpus>>['files']) => {
    for (const name of FILES) expect(files[name]).toEqual(served.get(`${BASE}${name}.bin`));
  };

  it('loads from the network when opening the cache is refused (a private window: SecurityError), warning once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const storage = { open: refuse('SecurityError') } as unknown as CacheStorage;
    const { fetchFn } = memoryOrigin(served);
    expectLoaded((await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: storage })).files);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/Cache API failed \(open: SecurityError/);
  });

  it('keeps every downloaded file when storing it is refused (a full disk: QuotaExceededError), and stops using the cache', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { calls, storage } = refusingCache('put', 'QuotaExceededError');
    const { fetchFn, requests } = memoryOrigin(served);
    expectLoaded((await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: storage })).files);
    expect(requests).toEqual([`${BASE}manifest.json`, ...FILES.map((f) => `${BASE}${f}.bin`)]);
    expect(calls).toEqual(['match', 'put']); // off after the first refusal: no second file, no pruning
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/put: QuotaExceededError/);
  });

  it('downloads when reading, deleting or listing the cache is refused', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const op of ['match', 'keys'] as const) {
      const { storage } = refusingCache(op, 'UnknownError');
      expectLoaded((await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: memoryOrigin(served).fetchFn, cacheStorage: storage })).files);
    }
    // A corrupt entry whose delete is refused: downloaded again all the same.
    const cache = new MemoryCache();
    await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn: memoryOrigin(served).fetchFn, cacheStorage: memoryCaches(cache) });
    for (const bytes of cache.entries.values()) bytes[0] ^= 1;
    const { calls, storage } = refusingCache('delete', 'InvalidStateError', cache);
    const { fetchFn, requests } = memoryOrigin(served);
    expectLoaded((await loadCorpus({ baseUrl: BASE, files: FILES, fetchFn, cacheStorage: storage })).files);
    expect(calls).toEqual(['match', 'delete']);
    expect(requests).toEqual([`${BASE}manifest.json`, ...FILES.map((f) => `${BASE}${f}.bin`)]);
  });
});
