// Compact curves for share URLs: numbers quantized to a few significant digits (of the largest |value|) and
// delta-coded as integers, which deflate packs far better than decimal text. value_k = (d_0 + ... + d_k) *
// 10^e; nulls (NaN, diverged points) stay null and the running sum skips them.
import type { Series } from '../lab/results';

export interface PackedNumbers {
  e: number;
  d: (number | null)[];
}

/** A Series in a summary: `px`/`py` so it cannot be confused with a plain {x, y}. */
export interface PackedSeries {
  px: PackedNumbers;
  py: PackedNumbers;
}

/** Digits kept for x (steps are integers and stay exact). */
const X_DIGITS = 6;

export function isSeries(value: unknown): value is Series {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && Array.isArray((value as Series).x) && Array.isArray((value as Series).y);
}

const scale = (q: number, e: number): number => (e < 0 ? q / 10 ** -e : q * 10 ** e);

export function packNumbers(values: readonly (number | null)[], digits: number): PackedNumbers {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const exact = finite.every((v) => Number.isSafeInteger(v));
  const e = exact || maxAbs === 0 ? 0 : Math.floor(Math.log10(maxAbs)) - (digits - 1);
  let previous = 0;
  const d = values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    const q = Math.round(e < 0 ? v * 10 ** -e : v / 10 ** e);
    const delta = q - previous;
    previous = q;
    return delta;
  });
  return { e, d };
}

export function unpackNumbers({ e, d }: PackedNumbers): (number | null)[] {
  let sum = 0;
  return d.map((delta) => {
    if (delta === null) return null;
    sum += delta;
    return scale(sum, e);
  });
}

export function packSeries(series: Series, yDigits: number): PackedSeries {
  return { px: packNumbers(series.x, X_DIGITS), py: packNumbers(series.y, yDigits) };
}

function isPackedNumbers(value: unknown): value is PackedNumbers {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { e, d } = value as PackedNumbers;
  return (
    Object.keys(value).length === 2 &&
    Number.isInteger(e) &&
    Math.abs(e) <= 40 &&
    Array.isArray(d) &&
    d.every((v) => v === null || Number.isSafeInteger(v))
  );
}

/** JSON.parse reviver undoing packNumbers/packSeries; anything malformed is left for the schema to reject. */
export function unpackReviver(_key: string, value: unknown): unknown {
  if (isPackedNumbers(value)) return unpackNumbers(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 2) {
    const { px, py } = value as { px?: unknown; py?: unknown };
    if (Array.isArray(px) && Array.isArray(py)) return { x: px, y: py };
  }
  return value;
}
