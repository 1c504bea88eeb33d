// The page's corpus loader: fetches manifest.json and the data files from the app's own origin (./data/),
// reports progress in bytes, verifies every file's sha256, and keeps verified files in the Cache API so a
// reload reads them from there (and verifies them again) instead of downloading. The cache is best effort: a
// browser that refuses it (a private window's SecurityError, a full disk's QuotaExceededError) loads from the
// network, with one console warning. Failures say whether a retry can help (network, HTTP 5xx) or the corpus
// must be rebuilt (HTTP 404, wrong size or sha256).
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

/** What to do about a download that failed on the way rather than for the corpus' content: try again. */
export const RETRY_FIX = 'This is a network or server problem, not a corpus one: check the connection and load again.';

/** A DataFileError (same name, same `file`) whose fix is to try again (`retryable`), not to rebuild the corpus. */
export class DataDownloadError extends DataFileError {
  readonly retryable = true;
  constructor(file: string, problem: string) {
    super(file, problem, RETRY_FIX);
  }
}

const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** HTTP statuses a retry may cure: timeouts, rate limits and server errors (404 means the file is not built). */
const transientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

async function fetchOrExplain(fetchFn: typeof fetch, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url, { cache: 'no-cache' });
  } catch (err) {
    throw new DataDownloadError(url, `could not be fetched (${describeError(err)})`);
  }
  if (!response.ok) {
    const problem = `could not be fetched (HTTP ${response.status})`;
    throw transientStatus(response.status) ? new DataDownloadError(url, problem) : new DataFileError(url, problem);
  }
  return response;
}

async function fetchManifest(fetchFn: typeof fetch, base: URL): Promise<Manifest> {
  const url = new URL(MANIFEST_NAME, base).href;
  const response = await fetchOrExplain(fetchFn, url);
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new DataDownloadError(url, `broke off while downloading (${describeError(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DataFileError(url, 'is not valid JSON');
  }
  return parseManifest(json, url);
}

/**
 * Reads a response body in chunks, calling `onChunk(bytes)` as they arrive. A transfer that breaks off throws
 * DataDownloadError naming `url` and how far it got.
 */
async function readBody(response: Response, url: string, expectedBytes: number, onChunk: (n: number) => void): Promise<Uint8Array> {
  const brokeOff = (received: number, err: unknown) =>
    new DataDownloadError(url, `broke off after ${received} of ${expectedBytes} bytes (${describeError(err)})`);
  if (!response.body) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      throw brokeOff(0, err);
    }
    onChunk(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (err) {
      throw brokeOff(length, err);
    }
    if (result.done) break;
    chunks.push(result.value);
    length += result.value.length;
    onChunk(result.value.length);
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

/**
 * The Cache API, best effort: the first operation that fails (SecurityError in a private window,
 * QuotaExceededError on a full disk, ...) warns once and turns the cache off for the rest of the load; the load
 * goes on from the network and keeps every file it downloaded.
 */
class BestEffortCache {
  private cache: Cache | undefined;

  static async open(storage: () => CacheStorage | null | undefined): Promise<BestEffortCache> {
    const best = new BestEffortCache();
    best.cache = await best.attempt('open', async () => {
      const caches = storage();
      return caches ? caches.open(DATA_CACHE_NAME) : undefined;
    });
    return best;
  }

  /** Runs one cache operation (only ever while the cache is on, so this warns at most once per load). */
  private async attempt<R>(what: string, op: () => Promise<R>): Promise<R | undefined> {
    try {
      return await op();
    } catch (err) {
      console.warn(`loadCorpus: the browser's Cache API failed (${what}: ${describeError(err)}); loading without the cache.`);
      this.cache = undefined;
      return undefined;
    }
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const cache = this.cache;
    if (!cache) return undefined;
    return this.attempt('match', async () => {
      const hit = await cache.match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    });
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const cache = this.cache;
    if (cache) await this.attempt('put', () => cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>)));
  }

  async delete(key: string): Promise<void> {
    const cache = this.cache;
    if (cache) await this.attempt('delete', () => cache.delete(key));
  }

  /** Drops entries of the loaded URLs whose key (content) is not among `keep`: files since rebuilt. */
  async prune(keep: ReadonlySet<string>, urls: ReadonlySet<string>): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    await this.attempt('prune', async () => {
      for (const request of await cache.keys()) {
        const url = request.url.split('?')[0];
        if (urls.has(url) && !keep.has(request.url)) await cache.delete(request);
      }
    });
  }
}

/**
 * Loads the corpus in the page (or a worker, with `baseUrl`): manifest, then each requested file from the
 * Cache API when present and intact, else from the network; every file is checked against the manifest.
 * Throws DataFileError naming the file and the fix: `npm run data` when one is missing (404) or corrupt, or
 * DataDownloadError (a DataFileError) asking to try again when the network or server failed.
 */
export async function loadCorpus(options: PageLoadOptions = {}): Promise<Corpus> {
  const fetchFn = options.fetchFn ?? fetch.bind(globalThis);
  // Reading globalThis.caches may itself throw where storage is refused: open() catches it.
  const cacheStorage = () => (options.cacheStorage === undefined ? globalThis.caches : options.cacheStorage);
  const base = new URL(options.baseUrl ?? defaultDataBaseUrl());
  const manifest = await fetchManifest(fetchFn, base);
  const names = options.files ?? DATA_FILE_NAMES;
  const cache = await BestEffortCache.open(cacheStorage);
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

    const cached = await cache.read(key);
    if (cached) {
      const intact = await verifyDataFile(manifest, name, cached, `${url} (cached)`).then(() => true, () => false);
      if (intact) {
        corpus.files[name] = cached;
        receivedBytes += cached.length;
        report(true);
        continue;
      }
      await cache.delete(key);
    }
    const response = await fetchOrExplain(fetchFn, url);
    const bytes = await readBody(response, url, entry.bytes, (n) => {
      receivedBytes += n;
      report(false);
    });
    await verifyDataFile(manifest, name, bytes, url);
    corpus.files[name] = bytes;
    await cache.write(key, bytes);
  }
  await cache.prune(keys, urls);
  return corpus;
}
