// Merging pieces of one sweep (the CLI end to end is in src/cli/sweep.test.ts).
import { describe, expect, it } from 'vitest';
import { mergeResults, MergeError } from './merge';
import { makeResults } from './persist/fixture';
import { defaultSweep } from './sweep';

describe('mergeResults', () => {
  const all = makeResults(defaultSweep('tiny'), 2);
  const [a, b] = [all.runs.filter((_, i) => i % 2 === 0), all.runs.filter((_, i) => i % 2 === 1)];

  it('is the union of runs and controls in sweep order, whatever order the pieces come in', () => {
    const { results, notes } = mergeResults([{ where: 'b', results: { ...all, runs: b, controls: [] } }, { where: 'a', results: { ...all, runs: a } }]);
    expect(results.runs.map((r) => r.id)).toEqual(all.runs.map((r) => r.id));
    expect(results.controls).toHaveLength(all.controls.length);
    expect(notes).toEqual([]);
  });

  it('keeps the finished copy of a run over an unfinished one, and says what is missing or doubled', () => {
    const pending = { ...a[0], status: 'pretraining' as const, pretrain: null, base: null, finetunes: [] };
    const { results, notes } = mergeResults([
      { where: 'x', results: { ...all, runs: [pending] } },
      { where: 'y', results: { ...all, runs: [a[0], a[1]] } },
      { where: 'z', results: { ...all, runs: [a[1]] } },
    ]);
    expect(results.runs.map((r) => r.status)).toEqual(['done', 'done']);
    expect(notes).toContain(`run ${a[1].id} is finished in both y and z: kept y's`);
    expect(notes.find((n) => n.includes('not finished'))).toMatch(new RegExp(`${all.runs.length - 2} of ${all.runs.length} runs are not finished`));
  });

  it('refuses pieces of different sweeps, naming the field', () => {
    const other = { ...all, sweep: { ...all.sweep, seeds: [7] } };
    expect(() => mergeResults([{ where: 'a', results: all }, { where: 'b', results: other }])).toThrow(MergeError);
    expect(() => mergeResults([{ where: 'a', results: all }, { where: 'b', results: other }])).toThrow(/b holds a different sweep than a \(they differ in seeds\)/);
    expect(() => mergeResults([])).toThrow(/nothing to merge/);
  });
});
