// Evidence for kernel tests and the page's self-test: |actual - expected| <= atol + rtol * |expected| for every
// element, NaN never passes (outputs are poisoned with NaN), and a failure prints the first mismatches
// side by side (llm.c check_tensor).
import { Rng } from '../util/rng';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Comparison {
  ok: boolean;
  /** Largest |actual - expected|. */
  maxAbsError: number;
  /** Number of elements outside tolerance. */
  bad: number;
  report: string;
}

export function compareArrays(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol, rtol }: Tolerance,
): Comparison {
  if (actual.length < expected.length) {
    return { ok: false, maxAbsError: Infinity, bad: expected.length, report: `${name}: got ${actual.length} values, expected ${expected.length}` };
  }
  let maxAbsError = 0;
  let bad = 0;
  const lines: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * Math.abs(e))) {
      bad++;
      if (lines.length < 8) lines.push(`  [${i}] gpu ${a} vs ref ${e} (|diff| ${err.toExponential(2)})`);
    }
    if (Number.isNaN(err)) maxAbsError = Infinity;
    else maxAbsError = Math.max(maxAbsError, err);
  }
  const ok = bad === 0;
  const head = `${name}: ${ok ? 'ok' : `${bad}/${expected.length} outside`} (max |diff| ${maxAbsError.toExponential(2)}, atol ${atol}, rtol ${rtol})`;
  return { ok, maxAbsError, bad, report: [head, ...lines].join('\n') };
}

/** Uniform values in [-scale, scale), seeded. */
export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * scale;
  return out;
}

/** A fresh seed per run (tests use fresh random inputs and print the seed so a failure can be replayed). */
export function freshSeed(): number {
  const fromEnv = Number(globalThis.process?.env?.KERNEL_SEED);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}
