// The two schedules and the phase configs built on them.
import { describe, expect, it } from 'vitest';
import { PRESETS, scheduledLr } from '../model/config';
import { PhaseControl } from './control';
import { FINETUNE_DEFAULTS, finetunePhase, pretrainPhase } from './phase';
import { finetuneSchedule, phaseLr, warmupSteps } from './schedule';

const { train } = PRESETS.lab;

describe('schedules', () => {
  it('pretraining is the preset schedule (one owner: scheduledLr): 10% warmup, cosine to 10%', () => {
    const phase = pretrainPhase(train, 0.3);
    for (const t of [0, 1, 100, train.steps - 1]) expect(phaseLr(phase.schedule, phase.steps, t)).toBe(scheduledLr(t, train));
    expect(phaseLr(phase.schedule, phase.steps, warmupSteps(phase.schedule, phase.steps) - 1)).toBe(train.peakLr);
    expect(phaseLr(phase.schedule, phase.steps, phase.steps - 1)).toBeCloseTo(0.1 * train.peakLr, 12);
  });

  it('fine-tuning: 1/20 of the pretraining peak, 10% linear warmup, cosine to 0, no decay, 3 epochs', () => {
    const phase = finetunePhase({ pretrainPeakLr: train.peakLr, batchesPerEpoch: 50 });
    expect(phase).toMatchObject({ kind: 'finetune', steps: 150, weightDecay: 0, schedule: finetuneSchedule(train.peakLr / 20) });
    const lr = (t: number) => phaseLr(phase.schedule, phase.steps, t);
    expect([lr(0), lr(7), lr(14)].map((x) => x / phase.schedule.peakLr)).toEqual([1 / 15, 8 / 15, 1]);
    expect(lr(149)).toBe(0);
    expect(FINETUNE_DEFAULTS.batchSize).toBe(64);
  });

  it('refuses configs that cannot run, naming the field', () => {
    expect(() => pretrainPhase(train, -1)).toThrow(/weightDecay -1 must be a finite number >= 0/);
    expect(() => pretrainPhase(train, Infinity)).toThrow(/weightDecay Infinity must be a finite number/);
    expect(() => pretrainPhase(train, 0, { steps: 0 })).toThrow(/steps 0 must be a positive integer/);
    expect(() => pretrainPhase(train, 0, { submitSteps: 1.5 })).toThrow(/submitSteps/);
    expect(() => pretrainPhase(train, 0, { divergence: { lossFactor: 1, window: 8 } })).toThrow(/lossFactor/);
  });
});

describe('PhaseControl', () => {
  it('pauses until resumed or cancelled, or until the signal aborts', async () => {
    const control = new PhaseControl();
    control.pause();
    let woke = false;
    const waiting = control.whilePaused().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    control.resume();
    await waiting;
    expect(control.state).toBe('running');
    control.pause();
    const abort = new AbortController();
    const aborted = control.whilePaused(abort.signal);
    abort.abort();
    await aborted;
    control.cancel();
    control.resume();
    expect(control.state).toBe('cancelled');
  });
});
