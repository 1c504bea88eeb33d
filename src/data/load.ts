// The page's corpus loader: fetches manifest.json and the data files from the app's own origin (./data/),
// reports progress in bytes, verifies every file's sha256, and keeps verified files in the Cache API so a
// reload reads them from there (and verifies them again) instead of downloading.
import { DataFileError, verifyDataFile, type Corpus } from './corpus';
import { DATA_FILE_NAMES, MANIFEST_NAME, parseManifest, type DataFileName, type Manifest } from './manifest';

export const DATA_CACHE_NAME = 'plasticity-lab-data-v1';

export interface LoadProgress {
  /** The file being read now. */
  file: DataFileName;
  /** Bytes received (or read from the cache) so far, over all requested files. */
  receivedBytes: number;
  /** Total bytes of all requested files (from the manifest). */
  totalBytes: number;
  fromCache: boolean;
}

export interface PageLoadOptions {
  /** Folder URL holding manifest.json (default: `data/` next to the page, i.e. `./data/`). */
  baseUrl?: string | URL;
  /** Which files to load (default: all). */
  files?: readonly DataFileName[];
  onProgress?: (progress: LoadProgress) => void;
  /** Test seams: default to the global fetch and caches (caching is skipped where caches is absent). */
  fetchFn?: typeof fetch;
  cacheStorage?: CacheStorage | null;
}

/** `./data/` resolved against the page. A worker has no page URL: pass `baseUrl` from the page. */
export function defaultDataBaseUrl(): URL {
  if (typeof document === 'undefined') {
    throw new Error('loadCorpus: no document to resolve ./data/ against; pass baseUrl (e.g. new URL("data/", document.baseURI).href from the page)');
  }
  return new URL('data/', document.baseURI);
}

async function fetchOrExplain(fetchFn: typeof fetch, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url, { cache: 'no-cache' });
  } catch (err) {
    throw new DataFileError(url, `could not be fetched (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!response.ok) throw new DataFileError(url, `could not be fetched (HTTP ${response.status})`);
  return response;
}

async function fetchManifest(fetchFn: typeof fetch, base: URL): Promise<Manifest> {
  const url = new URL(MANIFEST_NAME, base).href;
  const response = await fetchOrExplain(fetchFn, url);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new DataFileError(url, 'is not valid JSON');
  }
  return parseManifest(json, url);
}

/** Reads a response body in chunks, calling `onChunk(bytes)` as they arrive. */
async function readBody(response: Response, expectedBytes: number, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onChunk(value.length);
  }
  if (chunks.length === 1 && length === expectedBytes) return chunks[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The cache key names the content: a rebuilt file gets a new key, the old one is pruned. */
function cacheKey(url: string, sha256: string): string {
  return `${url}?sha256=${sha256}`;
}

async function readFromCache(cache: Cache | undefined, key: string): Promise<Uint8Array | undefined> {
  const hit = await cache?.match(key);
  return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
}

async function pruneStaleEntries(cache: Cache, keep: ReadonlySet<string>, urls: ReadonlySet<string>): Promise<void> {
  for (const request of await cache.keys()) {
    const url = request.url.split('?')[0];
    if (urls.has(url) && !keep.has(request.url)) await cache.delete(request);
  }
}

/**
 * Loads the corpus in the page (or a worker, with `baseUrl`): manifest, then each requested file from the
 * Cache API when present and intact, else from the network; every file is checked against the manifest.
 * Throws DataFileError naming the file and the fix (`npm run data`) when one is missing or corrupt.
 */
export async function loadCorpus(options: PageLoadOptions = {}): Promise<Corpus> {
  const fetchFn = options.fetchFn ?? fetch.bind(globalThis);
  const cacheStorage = options.cacheStorage === undefined ? globalThis.caches : options.cacheStorage;
  const base = new URL(options.baseUrl ?? defaultDataBaseUrl());
  const manifest = await fetchManifest(fetchFn, base);
  const names = options.files ?? DATA_FILE_NAMES;
  const cache = cacheStorage ? await cacheStorage.open(DATA_CACHE_NAME) : undefined;
  const totalBytes = names.reduce((sum, name) => sum + manifest.files[name].bytes, 0);
  let receivedBytes = 0;
  const corpus: Corpus = { manifest, files: {} };
  const keys = new Set<string>();
  const urls = new Set<string>();

  for (const name of names) {
    const entry = manifest.files[name];
    const url = new URL(entry.path, base).href;
    const key = cacheKey(url, entry.sha256);
    keys.add(new URL(key).href);
    urls.add(url);
    const report = (fromCache: boolean) => options.onProgress?.({ file: name, receivedBytes, totalBytes, fromCache });

    const cached = await readFromCache(cache, key);
    if (cached) {
      const intact = await verifyDataFile(manifest, name, cached, `${url} (cached)`).then(() => true, () => false);
      if (intact) {
        corpus.files[name] = cached;
        receivedBytes += cached.length;
        report(true);
        continue;
      }
      await cache?.delete(key);
    }
    const response = await fetchOrExplain(fetchFn, url);
    const bytes = await readBody(response, entry.bytes, (n) => {
      receivedBytes += n;
      report(false);
    });
    await verifyDataFile(manifest, name, bytes, url);
    await cache?.put(key, new Response(bytes as Uint8Array<ArrayBuffer>));
    corpus.files[name] = bytes;
  }
  if (cache) await pruneStaleEntries(cache, keys, urls);
  return corpus;
}
