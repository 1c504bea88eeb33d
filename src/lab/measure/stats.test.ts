import { describe, expect, it } from 'vitest';
import type { RunResult } from '../results';
import { countedFinetunes, mean, pairedDifferences, plasticityTable, sampleStd, summarize, tCoverage, tCritical, type RunRecord } from './stats';

describe('t critical values', () => {
  it('match the textbook table (R qt(0.975, dof), scipy t.ppf) to 1e-7', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062047],
      [2, 4.3026527],
      [3, 3.1824463],
      [4, 2.7764451],
      [5, 2.5705818],
      [9, 2.2621572],
      [10, 2.2281389],
      [29, 2.0452296],
      [30, 2.0422725],
      [100, 1.9839715],
      [1000, 1.9623391],
    ];
    for (const [dof, t] of table) expect(Math.abs(tCritical(dof) - t), `dof ${dof}`).toBeLessThan(1e-7);
    expect(tCritical(4, 0.9)).toBeCloseTo(2.1318468, 7); // qt(0.95, 4)
  });

  it('coverage has the closed forms at 1 and 2 dof (Cauchy; t / sqrt(2 + t^2))', () => {
    expect(tCoverage(1, 1)).toBeCloseTo(0.5, 15); // P(|Cauchy| <= 1) = 2 atan(1) / pi
    expect(tCoverage(2, 2)).toBeCloseTo(2 / Math.sqrt(6), 15);
    expect(() => tCoverage(1, 2.5)).toThrow(/integer/);
  });
});

describe('summaries across seeds', () => {
  it('[1, 2, 3, 4]: mean 2.5, std sqrt(5/3), CI 2.5 -+ 3.1824463 * sqrt(5/3) / 2', () => {
    // deviations -1.5 -0.5 0.5 1.5, squares sum 5, / (n - 1) = 5/3
    const s = summarize([1, 2, 3, 4]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(1.2909944, 7);
    const half = (3.1824463 * Math.sqrt(5 / 3)) / 2; // 2.0542597
    expect(s.ci95!.halfWidth).toBeCloseTo(half, 6);
    expect(s.ci95!.lo).toBeCloseTo(2.5 - half, 6);
    expect(s.ci95!.hi).toBeCloseTo(2.5 + half, 6);
  });

  it('two seeds [0.5, 1.5]: std sqrt(0.5), std / sqrt(2) = 0.5, half-width 12.7062047 * 0.5', () => {
    const s = summarize([0.5, 1.5]);
    expect(s.std).toBeCloseTo(Math.SQRT1_2, 15);
    expect(s.ci95!.halfWidth).toBeCloseTo(6.35310235, 6);
  });

  it('one seed has a mean but no std and no interval; no seeds fail loudly', () => {
    expect(summarize([3])).toEqual({ n: 1, mean: 3, std: null, ci95: null });
    expect(sampleStd([3])).toBeNull();
    expect(() => mean([])).toThrow(/no values/);
  });
});

describe('paired differences against a reference lambda', () => {
  it('pair by seed: diffs (-0.2, -0.1, -0.3), mean -0.2, std 0.1, half-width 4.3026527 * 0.1 / sqrt(3)', () => {
    const values = [
      { seed: 3, value: 2.1 },
      { seed: 1, value: 2.0 },
      { seed: 2, value: 2.5 },
    ];
    const reference = [
      { seed: 1, value: 2.2 },
      { seed: 2, value: 2.6 },
      { seed: 3, value: 2.4 },
      { seed: 4, value: 9 }, // no partner: left out and reported
    ];
    const d = pairedDifferences(values, reference);
    expect(d.seeds).toEqual([1, 2, 3]);
    expect(d.unpaired).toEqual([4]);
    expect(d.mean).toBeCloseTo(-0.2, 12);
    expect(d.std).toBeCloseTo(0.1, 12); // squares 0, 0.01, 0.01 over 2
    expect(d.ci95!.halfWidth).toBeCloseTo(0.2484138, 6); // 4.3026527 * 0.0577350
  });

  it('duplicate seeds and no overlap fail loudly', () => {
    expect(() => pairedDifferences([{ seed: 1, value: 0 }, { seed: 1, value: 1 }], [{ seed: 1, value: 0 }])).toThrow(/twice/);
    expect(() => pairedDifferences([{ seed: 1, value: 0 }], [{ seed: 2, value: 0 }])).toThrow(/no seed/);
  });
});

describe('plasticity table', () => {
  // A loss-type task (bits/char, lower is better), 2 seeds per lambda, reference lambda 0.1.
  const runs: RunRecord[] = [
    { lambda: 1, seed: 1, baseScore: 3.0, fineTunedScore: 2.0, baseValLoss: 2.4 },
    { lambda: 0.1, seed: 2, baseScore: 2.9, fineTunedScore: 2.3, baseValLoss: 2.1 },
    { lambda: 0, seed: 1, baseScore: 2.8, fineTunedScore: 2.4, baseValLoss: 2.0 },
    { lambda: 1, seed: 2, baseScore: 3.2, fineTunedScore: 2.2, baseValLoss: 2.6 },
    { lambda: 0.1, seed: 1, baseScore: 2.7, fineTunedScore: 2.1, baseValLoss: 1.9 },
    { lambda: 0, seed: 2, baseScore: 3.0, fineTunedScore: 2.6, baseValLoss: 2.2 },
  ];

  it('has one row per lambda, ascending, with seeds, summaries and gains (base - ft for losses)', () => {
    const rows = plasticityTable(runs, { direction: 'lower' });
    expect(rows.map((r) => r.lambda)).toEqual([0, 0.1, 1]);
    const [r0, r01, r1] = rows;
    expect(r1.seeds).toEqual([1, 2]);
    // lambda 1: ft (2.0, 2.2) -> mean 2.1, std sqrt(0.02) = 0.1414214, half-width 12.7062047 * 0.1 = 1.2706205
    expect(r1.fineTuned.mean).toBeCloseTo(2.1, 12);
    expect(r1.fineTuned.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(r1.fineTuned.ci95!.halfWidth).toBeCloseTo(1.2706205, 6);
    // gains base - ft: lambda 1 (1.0, 1.0) -> 1.0 with std 0; lambda 0 (0.4, 0.4) -> 0.4
    expect(r1.gain.mean).toBeCloseTo(1.0, 12);
    expect(r1.gain.std).toBeCloseTo(0, 12);
    expect(r0.gain.mean).toBeCloseTo(0.4, 12);
    expect(r01.baseValLoss.mean).toBeCloseTo(2.0, 12);
  });

  it('pairs each lambda with the reference by seed: ft and base loss differences', () => {
    const rows = plasticityTable(runs, { direction: 'lower', reference: 0.1 });
    const [r0, r01, r1] = rows;
    // lambda 1 - lambda 0.1 fine-tuned, per seed: 2.0 - 2.1 = -0.1, 2.2 - 2.3 = -0.1 -> mean -0.1, std 0
    expect(r1.fineTunedVsReference!.mean).toBeCloseTo(-0.1, 12);
    expect(r1.fineTunedVsReference!.std).toBeCloseTo(0, 12);
    // base val loss: 2.4 - 1.9 = 0.5, 2.6 - 2.1 = 0.5: worse before fine-tuning, better after (the headline)
    expect(r1.baseValLossVsReference!.mean).toBeCloseTo(0.5, 12);
    // lambda 0: 2.4 - 2.1 = 0.3, 2.6 - 2.3 = 0.3
    expect(r0.fineTunedVsReference!.mean).toBeCloseTo(0.3, 12);
    expect(r01.fineTunedVsReference!.mean).toBe(0);
  });

  it('higher-is-better scores gain ft - base; a missing reference gives null comparisons', () => {
    const acc: RunRecord[] = [
      { lambda: 0.3, seed: 1, baseScore: 0.5, fineTunedScore: 0.75, baseValLoss: 2 },
      { lambda: 0.3, seed: 2, baseScore: 0.5, fineTunedScore: 0.65, baseValLoss: 2 },
    ];
    const [row] = plasticityTable(acc, { direction: 'higher' });
    expect(row.gain.mean).toBeCloseTo(0.2, 12); // (0.25 + 0.15) / 2
    expect(row.fineTunedVsReference).toBeNull(); // no lambda 0.1 runs
    expect(() => plasticityTable([...acc, acc[0]], { direction: 'higher' })).toThrow(/seed 1 appears twice/);
  });
});

describe('counted fine-tunes', () => {
  const ft = (task: 'KV' | 'SENT', status: 'done' | 'diverged' | 'failed', value: number) => ({ task, status, score: { metric: 'exact' as const, value }, gain: value, curve: { x: [], y: [] }, seconds: 1 });
  const run = (lambda: number, seed: number, status: RunResult['status'], finetunes: ReturnType<typeof ft>[]) => ({ lambda, seed, status, finetunes }) as unknown as RunResult;

  it('keeps finished fine-tunes of the task whatever the run status, the first run of each (lambda, seed)', () => {
    const runs = [
      run(0, 0, 'done', [ft('KV', 'done', 0.1), ft('SENT', 'done', 0.6)]),
      run(0, 1, 'failed', [ft('KV', 'done', 0.2)]), // stopped later: counts
      run(0.1, 0, 'done', [ft('KV', 'diverged', 0.9)]), // diverged: left out
      run(0, 0, 'done', [ft('KV', 'done', 0.5)]), // the same (lambda, seed) again: left out
    ];
    expect(countedFinetunes(runs, 'KV').map(({ run: r, finetune: f }) => [r.lambda, r.seed, f.score.value])).toEqual([[0, 0, 0.1], [0, 1, 0.2]]);
    expect(countedFinetunes(runs, 'DOMAIN')).toEqual([]);
  });
});
