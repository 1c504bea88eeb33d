import { describe, expect, it } from 'vitest';
import { makeResults } from './persist/fixture';
import { estimateSecondsPerRun } from './runEstimate';
import { defaultSweep, pretrainSteps, runModel, type SweepDefinition } from './sweep';

/** The estimate by hand: pretraining seconds per token x planned tokens, plus each task's mean seconds. */
function byHand(done: ReturnType<typeof makeResults>, sweep: SweepDefinition, taskScale: (name: string) => number = () => 1): number {
  const runs = done.runs;
  const perToken = runs.reduce((s, r) => s + r.pretrain!.seconds, 0) / runs.reduce((s, r) => s + r.pretrain!.tokens, 0);
  let seconds = perToken * pretrainSteps(sweep) * sweep.pretrain.batch * runModel(sweep).T;
  for (const t of sweep.tasks) {
    const times = runs.map((r) => r.finetunes.find((f) => f.task === t.name)!.seconds);
    seconds += (times.reduce((a, b) => a + b, 0) / times.length) * taskScale(t.name);
  }
  return seconds;
}

describe('estimateSecondsPerRun', () => {
  const done = makeResults(defaultSweep('lab'));
  const device = done.runs[0].device!;

  it('is the finished runs’ time per run when the sweep is the one they ran', () => {
    const sweep = done.sweep;
    expect(estimateSecondsPerRun(done, sweep, device)).toBeCloseTo(byHand(done, sweep), 6);
  });

  it('scales pretraining with the planned tokens and fine-tuning with examples x epochs', () => {
    const sweep: SweepDefinition = {
      ...done.sweep,
      pretrain: { ...done.sweep.pretrain, budget: { kind: 'steps', value: 1000 } },
      finetune: { ...done.sweep.finetune, epochs: 6 },
      tasks: done.sweep.tasks.map((t) => (t.name === 'ADD-R' ? { ...t, trainSize: t.trainSize * 2 } : t)),
    };
    const scale = (name: string) => (name === 'ADD-R' ? 4 : 2); // ADD-R: 2x examples, 2x epochs
    expect(estimateSecondsPerRun(done, sweep, device)).toBeCloseTo(byHand(done, sweep, scale), 6);
  });

  it('has no estimate for another preset, no finished runs, or a task never fine-tuned here', () => {
    expect(estimateSecondsPerRun(done, defaultSweep('tiny'), device)).toBeUndefined();
    expect(estimateSecondsPerRun(undefined, done.sweep, device)).toBeUndefined();
    expect(estimateSecondsPerRun({ ...done, runs: done.runs.map((r) => ({ ...r, status: 'pretraining' as const })) }, done.sweep, device)).toBeUndefined();
    const withPiglatin = { ...done.sweep, tasks: [...done.sweep.tasks, { name: 'PIGLATIN' as const, trainSize: 1000, testSize: 100 }] };
    expect(estimateSecondsPerRun(done, withPiglatin, device)).toBeUndefined();
  });

  it('adds the base measurements where the results record what they took', () => {
    const withSeconds = { ...done, runs: done.runs.map((r, i) => ({ ...r, base: { ...r.base!, seconds: { validation: 2 + i, probes: 10 } } })) };
    const mean = withSeconds.runs.reduce((s, _r, i) => s + 12 + i, 0) / withSeconds.runs.length;
    expect(estimateSecondsPerRun(withSeconds, done.sweep, device)).toBeCloseTo(byHand(done, done.sweep) + mean, 6);
  });

  it('counts only runs on this device: results imported from another GPU give no estimate', () => {
    expect(estimateSecondsPerRun(done, done.sweep, 'google / swiftshader (SwiftShader Device)')).toBeUndefined();
    expect(estimateSecondsPerRun(done, done.sweep, undefined)).toBeUndefined();
    const mixed = { ...done, runs: done.runs.map((r, i) => (i === 0 ? r : { ...r, device: 'another GPU' })) };
    expect(estimateSecondsPerRun(mixed, done.sweep, device)).toBeCloseTo(byHand({ ...mixed, runs: mixed.runs.slice(0, 1) }, done.sweep), 6);
  });
});
