// Round-number axes and bands cut to what a quantity can be (scale.ts), on the values the usability review
// found: loss ticks 4.84, 4.76, 4.67; steps 1, 501, 1000; a rank axis topping out at 16.1; KV gain ticks
// 100, 55, 5, -45, -95 with 0 between two ticks; an NLL axis reaching -0.8.
import { describe, expect, it } from 'vitest';
import { ANY, clampBand, clampStat, NON_NEGATIVE, niceScale, niceStep, PERCENT } from './scale';

/** Every tick a multiple of a 1-2-5 step, evenly spaced, inside the domain. */
function expectNice(ticks: number[], domain: [number, number]) {
  const step = ticks[1] - ticks[0];
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${step} of ${ticks.join(', ')}`).toBe(true);
  ticks.forEach((t, i) => {
    expect(Math.abs(t / step - Math.round(t / step)), `tick ${t} is not a multiple of ${step}`).toBeLessThan(1e-9);
    if (i) expect(t - ticks[i - 1]).toBeCloseTo(step, 12);
  });
  expect(ticks[0]).toBeGreaterThanOrEqual(domain[0]);
  expect(ticks.at(-1)!).toBeLessThanOrEqual(domain[1]);
}

describe('niceStep', () => {
  it('picks 1, 2 or 5 x 10^k giving at most `count` intervals', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.25, 5)).toBe(0.05);
    expect(niceStep(195, 5)).toBe(50);
    expect(niceStep(3947, 5)).toBe(1000);
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceStep(0, 5)).toBe(1); // degenerate: any step
  });
});

describe('niceScale', () => {
  it('loss curve 4.6-4.87: ticks 4.6, 4.7, 4.8, 4.9 (not 4.84, 4.76, 4.67)', () => {
    const s = niceScale([4.87, 4.72, 4.61, null, NaN], NON_NEGATIVE)!;
    expect(s.domain).toEqual([4.6, 4.9]);
    expect(s.ticks).toEqual([4.6, 4.7, 4.8, 4.9]);
  });

  it('steps 1..3948: ticks 0, 1000, ..., 4000 (not 1, 501, 1000)', () => {
    const s = niceScale([1, 250, 3948])!;
    expect(s).toEqual({ domain: [0, 4000], ticks: [0, 1000, 2000, 3000, 4000] });
  });

  it('a rank axis stops at the head size: 0..16, never 16.1', () => {
    const s = niceScale([0, 16, 3.2, 16.1, 15.4], [0, 16])!;
    expect(s.domain).toEqual([0, 16]);
    expect(s.ticks).toEqual([0, 5, 10, 15]);
  });

  it('a gain spanning 0 has 0 as a tick (KV: -95..100 gave 100, 55, 5, -45, -95)', () => {
    const s = niceScale([-95, 2.4, 27.3, 100, -87.5], [-100, 100])!;
    expect(s.domain).toEqual([-100, 100]);
    expect(s.ticks).toContain(0);
    expectNice(s.ticks, s.domain);
    const small = niceScale([-0.013, 0.031, 0.047])!;
    expect(small.ticks).toContain(0);
    expectNice(small.ticks, small.domain);
  });

  it('a non-negative metric stops at 0: answer NLL with a band down to -0.759', () => {
    const s = niceScale([0.0001, 0.66, 1.02, -0.759, 2.09], NON_NEGATIVE)!;
    expect(s.domain[0]).toBe(0);
    expect(s.ticks[0]).toBe(0);
    expect(s.domain[1]).toBeGreaterThanOrEqual(2.09);
    expectNice(s.ticks, s.domain);
  });

  it('percentages stay in [0, 100] whatever the band', () => {
    expect(niceScale([-40, 12, 64, 170], PERCENT)!.domain).toEqual([0, 100]);
    expect(niceScale([55, 61, 68, 73.4], PERCENT)).toEqual({ domain: [55, 75], ticks: [55, 60, 65, 70, 75] });
  });

  it('ticks stay nice across magnitudes and signs', () => {
    for (const [lo, hi] of [[0.36, 0.52], [2.4, 4], [-3.1e-4, 6.4e-4], [1e5, 3.7e5], [-250, -30], [0.999, 1.001]]) {
      const s = niceScale([lo, hi])!;
      expect(s.domain[0]).toBeLessThanOrEqual(lo);
      expect(s.domain[1]).toBeGreaterThanOrEqual(hi);
      expect(s.ticks.length).toBeGreaterThanOrEqual(2);
      expect(s.ticks.length).toBeLessThanOrEqual(7);
      expectNice(s.ticks, s.domain);
    }
  });

  it('one value gets a small window around it, inside the range; no finite value gives null', () => {
    expect(niceScale([2.5])!.domain).toEqual([2.2, 2.8]);
    expect(niceScale([0], NON_NEGATIVE)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceScale([100, 100], PERCENT)!.domain).toEqual([90, 100]);
    expect(niceScale([null, undefined, NaN, Infinity])).toBeNull();
    expect(niceScale([])).toBeNull();
  });
});

describe('clampBand / clampStat', () => {
  it('cuts a band to the range and leaves a band inside it alone', () => {
    expect(clampBand([-0.759, 2.09], NON_NEGATIVE)).toEqual([0, 2.09]);
    expect(clampBand([-87.5, 142], [-100, 100])).toEqual([-87.5, 100]);
    expect(clampBand([-120, 130], PERCENT)).toEqual([0, 100]);
    expect(clampBand([0.2, 0.4], ANY)).toEqual([0.2, 0.4]);
    expect(clampBand(null, PERCENT)).toBeNull();
  });

  it('a Stat keeps its mean and n; null stays null', () => {
    expect(clampStat({ mean: 27.3, band: [-87.5, 142], n: 3 }, [-100, 100])).toEqual({ mean: 27.3, band: [-87.5, 100], n: 3 });
    expect(clampStat({ mean: 1, band: null, n: 1 }, PERCENT)).toEqual({ mean: 1, band: null, n: 1 });
    expect(clampStat(null, PERCENT)).toBeNull();
  });
});
