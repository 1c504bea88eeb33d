// Helpers shared by the task generators: independent seed streams and sampling without repeats.

/** A seed for the named stream of `seed` (FNV-1a of the label mixed into the seed). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function checkSize(what: string, n: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= max)) throw new RangeError(`${what} ${n} must be an integer in 0..${max}`);
}

/**
 * `count` items from `make()` with distinct `key`s, none of whose keys is in `exclude`; the keys taken are
 * added to `taken`. Throws if the space looks exhausted.
 */
export function sampleDistinct<T>(
  count: number,
  make: () => T | undefined,
  key: (item: T) => string,
  exclude: ReadonlySet<string>,
  taken: Set<string> = new Set(),
): T[] {
  const out: T[] = [];
  const maxAttempts = 50 * count + 1000;
  for (let attempt = 0; out.length < count; attempt++) {
    if (attempt >= maxAttempts) throw new Error(`sampleDistinct: only ${out.length} of ${count} distinct items found`);
    const item = make();
    if (item === undefined) continue;
    const k = key(item);
    if (exclude.has(k) || taken.has(k)) continue;
    taken.add(k);
    out.push(item);
  }
  return out;
}
