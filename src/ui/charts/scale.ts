// Value axes every chart shares: round-number ("nice") ticks in steps of 1, 2 or 5 x 10^k, and the range a
// quantity can take (a percentage in [0, 100], a loss >= 0), so that a 95% band from three seeds is cut where
// the quantity ends instead of stretching the axis past it (an NLL axis reaching -0.8).

/** The values a quantity can take, [lo, hi]; infinite ends for an open side. */
export type Range = readonly [number, number];

export const ANY: Range = [-Infinity, Infinity];
export const NON_NEGATIVE: Range = [0, Infinity];
export const PERCENT: Range = [0, 100];

export interface NiceScale {
  domain: [number, number];
  ticks: number[];
}

/** Float noise off a tick (0.1 * 3 = 0.30000000000000004), and no -0. */
const tidy = (x: number) => +x.toPrecision(12) || 0;

/** The 1-2-5 step (..., 0.1, 0.2, 0.5, 1, 2, 5, 10, ...) that cuts `span` into at most `count` intervals. */
export function niceStep(span: number, count = 5): number {
  const rough = Math.abs(span) / Math.max(1, count);
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const f = rough / magnitude;
  return tidy((f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * magnitude);
}

/**
 * An axis over the finite values (nulls and NaN skipped): the domain is their extent, each value first
 * clamped to `range`, rounded out to whole 1-2-5 steps and kept inside `range`; the ticks are the step's
 * multiples inside the domain, so 0 is a tick whenever the domain spans it. Null when no value is finite.
 */
export function niceScale(values: Iterable<number | null | undefined>, range: Range = ANY, count = 5): NiceScale | null {
  const clamp = (x: number) => Math.min(range[1], Math.max(range[0], x));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    lo = Math.min(lo, clamp(v));
    hi = Math.max(hi, clamp(v));
  }
  if (lo > hi) return null;
  if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) {
    // One value (or all equal): a small window around it, still inside the range.
    const pad = Math.abs(hi) * 0.1 || 1;
    [lo, hi] = [clamp(lo - pad), clamp(hi + pad)];
  }
  const step = niceStep(hi - lo, count);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const domain: [number, number] = [clamp(tidy(first * step)), clamp(tidy(last * step))];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    const t = tidy(k * step);
    if (t >= domain[0] && t <= domain[1]) ticks.push(t);
  }
  return { domain, ticks };
}

/** A [lo, hi] band cut to what the quantity can be (null stays null). */
export function clampBand(band: readonly [number, number] | null, [lo, hi]: Range): [number, number] | null {
  return band ? [Math.min(hi, Math.max(lo, band[0])), Math.max(lo, Math.min(hi, band[1]))] : null;
}

/** The same for anything with a band (a Stat); null stays null. */
export function clampStat<T extends { band: [number, number] | null }>(s: T | null, range: Range): T | null {
  return s && { ...s, band: clampBand(s.band, range) };
}
