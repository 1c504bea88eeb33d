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
