// The plan a sweep's runs follow, derived from the definition alone (no engine).
import { describe, expect, it } from 'vitest';
import type { Corpus } from '../data/corpus';
import type { Manifest } from '../data/manifest';
import { makeAddRTask, makeKvTask, makePigLatinTask, rowTokens, type ExactMatchTask } from '../data/tasks';
import { MAX_WORD_LETTERS } from '../data/tasks/piglatin';
import { PRESETS, timescale, type PresetName } from '../model/config';
import { Rng } from '../util/rng';
import {
  batchShapes, checkpointSteps, checkSweepRunnable, finetuneConfig, LONGEST_EXAMPLES, pretrainConfig, requiredDataFiles, runSeeds,
  runTimescale,
} from './runnerPlan';
import { MEASURE_SIZES } from './measureSizes';
import { pretrainSteps, type SweepDefinition } from './sweep';
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

  describe('checkSweepRunnable: every task row fits the context', () => {
    /** A corpus of zeros long enough for any batch: checkSweepRunnable reads only the files' lengths. */
    const corpus: Corpus = {
      manifest: {} as Manifest,
      files: Object.fromEntries(['train', 'validation', 'domain-train', 'domain-test', 'imdb-tails', 'imdb-labels', 'probe-brown'].map((f) => [f, new Uint8Array(200_000)])),
    };
    const allTasks = (preset: PresetName): SweepDefinition => ({
      ...defaultSweep(preset),
      probes: [],
      finetune: { ...defaultSweep(preset).finetune, batch: 4 },
      tasks: [
        { name: 'ADD-R', trainSize: 16, testSize: 8 },
        { name: 'KV', trainSize: 16, testSize: 8 },
        { name: 'SENT', trainSize: 16, testSize: 8 },
        { name: 'DOMAIN', trainSize: 100_000, testSize: 8 },
        { name: 'PIGLATIN', trainSize: 16, testSize: 8 },
      ],
    });

    it('refuses up front, naming the task and T, a task whose longest row does not fit the tiny preset (T=16)', () => {
      const run = () => checkSweepRunnable(allTasks('tiny'), corpus, 'sweep "t"');
      expect(run).toThrow(
        'sweep "t" cannot run:\n' +
          "  tasks.1.name: KV needs rows of 63 tokens (a 61-character prompt and a 3-character answer), more than the tiny preset's context T=16\n" +
          "  tasks.4.name: PIGLATIN needs rows of 86 tokens (a 39-character prompt and a 48-character answer), more than the tiny preset's context T=16",
      );
      // ADD-R (8 + 5 - 1 = 12), SENT (cut to fit, 1 + 9 - 1) and DOMAIN (windows of T) fit: the tiny sweep runs.
      const fitting = allTasks('tiny');
      fitting.tasks = fitting.tasks.filter((t) => t.name !== 'KV' && t.name !== 'PIGLATIN');
      expect(() => checkSweepRunnable(fitting, corpus)).not.toThrow();
    });

    it('accepts every task at the T=128 presets', () => {
      for (const preset of ['lab', 'tpp20', 'overtrained'] as const) expect(() => checkSweepRunnable(allTasks(preset), corpus)).not.toThrow();
    });

    it("bounds every generated example: the longest prompt, and the task's maxAnswerLength as the longest answer", () => {
      const rng = new Rng(5); // random words of 1..12 letters, 12-letter vowel-initial ones included
      const words = Array.from({ length: 3000 }, () => Array.from({ length: 1 + rng.int(MAX_WORD_LETTERS) }, () => 'aeiouybcdfgqrst'[rng.int(15)]).join(''));
      const documents = Array.from({ length: 10 }, (_, d) => words.slice(d * 300, (d + 1) * 300).join(' '));
      const tasks: ExactMatchTask[] = [
        makeAddRTask({ seed: 1, trainSize: 2000, testSize: 500 }),
        makeKvTask({ seed: 1, trainSize: 500, testSize: 100 }),
        makePigLatinTask({ seed: 1, trainSize: 2000, testSize: 200, documents }),
      ];
      for (const task of tasks) {
        const bound = LONGEST_EXAMPLES[task.name];
        expect(bound.answer.length, task.name).toBe(task.maxAnswerLength);
        const examples = [...task.train, ...task.test];
        expect(Math.max(...examples.map((ex) => ex.prompt.length)), task.name).toBeLessThanOrEqual(bound.prompt.length);
        expect(Math.max(...examples.map((ex) => ex.answer.length)), task.name).toBeLessThanOrEqual(bound.answer.length);
        expect(Math.max(...examples.map((ex) => rowTokens(ex.prompt.length, task.maxAnswerLength)))).toBeLessThanOrEqual(rowTokens(bound.prompt.length, bound.answer.length));
      }
    });
  });
});
