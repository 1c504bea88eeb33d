// What the page announces when a Train or a Sweep ends (the status region reads it out).
import { describe, expect, it } from 'vitest';
import { makeResults } from '../lab/persist/fixture';
import { defaultSweep } from '../lab/sweep';
import { finishedNotice } from './runnerSlice';

describe('finishedNotice', () => {
  const results = makeResults(defaultSweep('lab'), 2);
  const [first, second] = results.runs;

  it('names the one run a Train asked for, or counts a sweep\'s runs', () => {
    expect(finishedNotice(results, [{ lambda: first.lambda, seed: first.seed }])).toBe(`Finished: 1 run (λ ${first.lambda}, seed ${first.seed}) of "${results.sweep.name}".`);
    expect(finishedNotice(results, undefined)).toMatch(new RegExp(`^Finished: ${results.runs.length} runs of "`));
  });

  it('says how many runs did not end done, and where to read why', () => {
    const mixed = { ...results, runs: [first, { ...second, status: 'diverged' as const }] };
    expect(finishedNotice(mixed, undefined)).toBe(`Finished: 2 runs of "${results.sweep.name}"; 1 ended diverged (the runs table says why).`);
  });
});
