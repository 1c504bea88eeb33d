import { describe, expect, it } from 'vitest';
import { mergeMetricBatches, type LiveRun } from '../../state/labModel';
import { fixtureResults } from './data.fixture';
import { viewOfPhase } from './LiveChart';
import { runRows } from './runRows';

describe('viewOfPhase', () => {
  it('shows the curve of the phase the run is in', () => {
    expect(viewOfPhase('pretrain')).toBe('pretrain');
    expect(viewOfPhase('finetune.ADD-R')).toBe('ft:ADD-R');
    expect(viewOfPhase('finetune.KV')).toBe('ft:KV');
  });
  it('leaves the view alone between phases', () => {
    expect(viewOfPhase('measure')).toBeUndefined();
    expect(viewOfPhase(undefined)).toBeUndefined();
  });
});

describe('runs table rows while metrics stream', () => {
  it('a metric batch rebuilds the row of the run in flight only; the others keep their identity', () => {
    const results = fixtureResults();
    const inFlight = { ...results.runs[4], status: 'pretraining' as const };
    const runs = results.runs.map((r, i) => (i === 4 ? inFlight : r));
    const batch = (step: number) => ({ runId: inFlight.id, series: { 'pretrain.loss': { x: [step], y: [3] } }, progress: { phase: 'pretrain', step, steps: 400 } });
    let live: Record<string, LiveRun> = mergeMetricBatches({}, [batch(100)]);
    const rowsOf = (list: typeof runs, l: Record<string, LiveRun>) => runRows({ sweep: results.sweep, runs: list }, l).rows;
    const before = rowsOf(runs, live);
    expect(before.map((r) => r.id)).toEqual([...runs].sort((a, b) => a.seed - b.seed || a.lambda - b.lambda).map((r) => r.id));
    live = mergeMetricBatches(live, [batch(200)]);
    const after = rowsOf(runs, live);
    const changed = after.filter((row, i) => row !== before[i]).map((r) => [r.id, r.step]);
    expect(changed).toEqual([[inFlight.id, 200]]);
    // A new result for a run (a new object) gets a new row; live progress of no run leaves rows alone.
    const done = { ...inFlight, status: 'done' as const };
    const final = rowsOf(runs.map((r) => (r === inFlight ? done : r)), {});
    expect(final.filter((row, i) => row !== after[i]).map((r) => [r.id, r.status])).toEqual([[inFlight.id, 'done']]);
  });
});
