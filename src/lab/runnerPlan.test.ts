// The plan a sweep's runs follow, derived from the definition alone (no engine).
import { describe, expect, it } from 'vitest';
import { PRESETS, timescale } from '../model/config';
import { batchShapes, checkpointSteps, finetuneConfig, MEASURE_SIZES, pretrainConfig, requiredDataFiles, runSeeds, runTimescale } from './runnerPlan';
import { pretrainSteps } from './sweep';
import { defaultSweep } from './sweep';
import { tinySweep } from './runner.testkit';

describe('runner plan', () => {
  const lab = defaultSweep('lab');

  it('pretrains for the sweep budget with the sweep schedule, decay lambda on the preset model', () => {
    expect(pretrainSteps(lab)).toBe(PRESETS.lab.train.steps); // 140 tokens/param, as the preset
    expect(pretrainSteps({ ...lab, pretrain: { ...lab.pretrain, budget: { kind: 'steps', value: 123 } } })).toBe(123);
    const config = pretrainConfig(lab, 0.3);
    expect(config).toMatchObject({ kind: 'pretrain', steps: PRESETS.lab.train.steps, weightDecay: 0.3, evalEvery: 250, schedule: { peakLr: 3e-3, warmupFrac: 0.1, minLrFrac: 0.1 } });
    expect(runTimescale(lab, 0)).toEqual({ S: timescale(PRESETS.lab.train, 0).S, shrink: 1, tauOverT: null });
    expect(runTimescale(lab, 1).tauOverT).toBeCloseTo(1 / (3e-3 * PRESETS.lab.train.steps), 12);
  });

  it('fine-tunes at one fixed lr for every lambda, no decay by default, epochs of full batches, cosine to 0', () => {
    const config = finetuneConfig(lab, 625);
    expect(config).toMatchObject({ kind: 'finetune', steps: 3 * 625, weightDecay: 0, schedule: { peakLr: lab.finetune.lr, warmupFrac: 0.1, minLrFrac: 0 } });
    expect(finetuneConfig({ ...lab, finetune: { ...lab.finetune, weightDecay: 0.1 } }, 10).weightDecay).toBe(0.1);
  });

  it('checkpoints at evenly spaced steps ending at the last, and seeds never depend on lambda', () => {
    expect(checkpointSteps(8, 2)).toEqual([4, 8]);
    expect(checkpointSteps(3, 10)).toEqual([1, 2, 3]);
    expect(checkpointSteps(3960, 10).at(-1)).toBe(3960);
    expect(runSeeds(1).data).not.toBe(runSeeds(2).data);
    expect(runSeeds(1).finetune('ADD-R')).not.toBe(runSeeds(1).finetune('KV'));
  });

  it('reads only the corpus files the sweep needs; the memory check covers every batch shape', () => {
    expect(requiredDataFiles(tinySweep())).toEqual(['train', 'validation', 'probe-brown', 'imdb-tails', 'imdb-labels']);
    expect(requiredDataFiles({ ...lab, probes: [], tasks: [{ name: 'DOMAIN', trainSize: 10, testSize: 10 }] })).toEqual(['train', 'validation', 'domain-train', 'domain-test']);
    expect(batchShapes(lab)).toEqual([{ B: 32, T: 128 }, { B: 64, T: 128 }, { B: MEASURE_SIZES.lab.rows, T: 128 }]);
  });
});
