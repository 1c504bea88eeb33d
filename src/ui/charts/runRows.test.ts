// The runs table's rows: each run's decay timescale beside it (science.md asks for it next to every run).
import { describe, expect, it } from 'vitest';
import { fixtureResults } from './data.fixture';
import { runRows } from './runRows';

describe('runs table rows: the timescale', () => {
  it('carries exp(-lambda S) and tau/T of each run, tau/T null (infinite) at lambda 0', () => {
    const results = fixtureResults();
    const { rows } = runRows(results);
    for (const row of rows) {
      const run = results.runs.find((r) => r.id === row.id)!;
      expect(row.shrink).toBe(run.timescale.shrink);
      if (run.lambda === 0) expect([row.shrink, row.tauOverT]).toEqual([1, null]);
      else expect(row.tauOverT).toBe(run.timescale.tauOverT);
    }
    expect(rows.some((r) => r.tauOverT !== null && r.shrink < 1)).toBe(true);
  });
});

describe('runs table rows: a finished run that did not succeed', () => {
  it('says why in the phase column (a divergence or a failure), not only in a tooltip', () => {
    const results = fixtureResults();
    const run = { ...results.runs[0], status: 'diverged' as const, error: 'training loss is NaN at step 7' };
    expect(runRows({ sweep: results.sweep, runs: [run] }).rows[0].phase).toBe('diverged: training loss is NaN at step 7');
    expect(runRows({ sweep: results.sweep, runs: [results.runs[0]] }).rows[0].phase).toBe('done');
  });
});
