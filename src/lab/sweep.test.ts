import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCorpus } from '../data/corpus.fixture';
import { imdbRecords } from '../data/corpus';
import { makeAddRTask } from '../data/tasks/addr';
import { makeSentTask, SENT_MAX_EXAMPLES } from '../data/tasks/sent';
import { defaultSweep, maxTrainSize, parseSweep, runId, shardRuns, sweepRuns, SweepError, TASK_SIZE_LIMITS, type TaskSpec } from './sweep';
import { downsample, parseResults, resultsToJson, type Results } from './results';

describe('sweep definitions', () => {
  it('the default sweep mirrors the paper and validates', () => {
    const sweep = parseSweep(defaultSweep());
    expect(sweep.lambdas).toEqual([0, 0.1, 0.3, 1, 3]);
    expect(sweep.seeds).toHaveLength(3);
    expect(sweep.finetune).toMatchObject({ epochs: 3, batch: 64, weightDecay: 0 });
  });

  it('a malformed sweep is rejected with a message naming each bad field', () => {
    const bad = { ...defaultSweep(), lambdas: [0, -1], finetune: { ...defaultSweep().finetune, epochs: 0 }, extra: 1 };
    expect(() => parseSweep(bad, 'my.json')).toThrow(SweepError);
    try {
      parseSweep(bad, 'my.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('my.json');
      expect(message).toContain('lambdas.1');
      expect(message).toContain('finetune.epochs');
      expect(message).toMatch(/extra|Unrecognized/);
    }
    expect(() => parseSweep({ ...defaultSweep(), seeds: [1, 1] })).toThrow(/seeds: seeds must be distinct/);
    expect(() => parseSweep({ ...defaultSweep(), version: 2 })).toThrow(/version/);
  });

  it('refuses an unknown key anywhere in the sweep, naming where, rather than dropping it', () => {
    const d = defaultSweep('tiny');
    const cases: Array<[unknown, string]> = [
      [{ ...d, pretrain: { ...d.pretrain, steps: 5 } }, 'pretrain: Unrecognized key: "steps"'],
      [{ ...d, pretrain: { ...d.pretrain, budget: { kind: 'steps', value: 5, tokens: 3 } } }, 'pretrain.budget: Unrecognized key: "tokens"'],
      [{ ...d, pretrain: { ...d.pretrain, budget: { kind: 'tokensPerParam', value: 20, steps: 5 } } }, 'pretrain.budget: Unrecognized key: "steps"'],
      [{ ...d, finetune: { ...d.finetune, weight_decay: 0.1 } }, 'finetune: Unrecognized key: "weight_decay"'],
      [{ ...d, tasks: [d.tasks[0], { ...d.tasks[1], size: 400 }] }, 'tasks.1: Unrecognized key: "size"'],
    ];
    for (const [sweep, message] of cases) expect(() => parseSweep(sweep, 'my.json')).toThrow(message);
  });

  it("the repo's own sweep files and reference results parse (configs/, docs/results/)", () => {
    const files = ['configs', 'docs/results', 'docs/results/calibration'].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f)));
    const parsed = files.flatMap((file) => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      if (json.kind === 'plasticity-lab-results') return [parseResults(json, file).sweep];
      return 'pretrain' in json ? [parseSweep(json, file)] : []; // calibration summaries are not sweeps
    });
    expect(parsed.length).toBeGreaterThanOrEqual(4); // configs/default.json, configs/tiny.json, the H200 sweep and its calibrated definition
  });

  it("a task's size beyond what it can supply is refused, naming the field and the limit", () => {
    const withTasks = (...tasks: TaskSpec[]) => ({ ...defaultSweep(), tasks });
    const addr = TASK_SIZE_LIMITS['ADD-R'];
    expect(() => parseSweep(withTasks({ name: 'KV', trainSize: 100, testSize: 10 }, { name: 'ADD-R', trainSize: 320_000, testSize: 500 })))
      .toThrow(`tasks.1.trainSize: ADD-R can supply at most ${addr.trainSize} training examples, got 320000`);
    expect(() => parseSweep(withTasks({ name: 'ADD-R', trainSize: 100, testSize: 200_000 }))).toThrow(`tasks.0.testSize: ADD-R can supply at most ${addr.testSize} test examples`);
    expect(parseSweep(withTasks({ name: 'ADD-R', trainSize: addr.trainSize!, testSize: addr.testSize! })).tasks[0].trainSize).toBe(202_725);
    // SENT: train and test share one pool
    expect(() => parseSweep(withTasks({ name: 'SENT', trainSize: SENT_MAX_EXAMPLES - 999, testSize: 1000 })))
      .toThrow(`tasks.0.trainSize: SENT can supply at most ${SENT_MAX_EXAMPLES} examples for training and test together (testSize 1000 leaves ${SENT_MAX_EXAMPLES - 1000} for training)`);
    expect(parseSweep(withTasks({ name: 'SENT', trainSize: SENT_MAX_EXAMPLES - 1000, testSize: 1000 })).tasks).toHaveLength(1);
    expect(() => parseSweep(withTasks({ name: 'PIGLATIN', trainSize: 1000, testSize: 100_001 }))).toThrow(/tasks\.0\.testSize: PIGLATIN can supply at most 100000 test examples/);
    expect(parseSweep(withTasks({ name: 'DOMAIN', trainSize: 1_000_000, testSize: 1_000_000 })).tasks).toHaveLength(1);
  });

  it('maxTrainSize is the largest trainSize the schema accepts (the page caps its size field with it)', () => {
    const specs: { name: TaskSpec['name']; testSize: number }[] = [
      { name: 'ADD-R', testSize: 500 },
      { name: 'SENT', testSize: 1000 },
      { name: 'KV', testSize: 500 },
      { name: 'DOMAIN', testSize: 100_000 },
    ];
    for (const spec of specs) {
      const max = maxTrainSize(spec);
      expect(parseSweep({ ...defaultSweep(), tasks: [{ ...spec, trainSize: max }] }).tasks[0].trainSize).toBe(max);
      expect(() => parseSweep({ ...defaultSweep(), tasks: [{ ...spec, trainSize: max + 1 }] })).toThrow(/tasks\.0\.trainSize/);
    }
    expect(maxTrainSize({ name: 'SENT', testSize: 1000 })).toBe(SENT_MAX_EXAMPLES - 1000);
  });

  it("the limits are the generators' own: at the limit they generate, past it they refuse", () => {
    const { trainSize, testSize } = TASK_SIZE_LIMITS['ADD-R'];
    expect(() => makeAddRTask({ seed: 0, trainSize: trainSize! + 1, testSize: 10 })).toThrow(`ADD-R trainSize ${trainSize! + 1} must be an integer in 0..${trainSize}`);
    expect(() => makeAddRTask({ seed: 0, trainSize: 10, testSize: testSize! + 1 })).toThrow(`ADD-R testSize ${testSize! + 1} must be an integer in 0..${testSize}`);
  });

  it("SENT's limit is what the built corpus's SENT pool supplies, balanced", async () => {
    const corpus = await builtCorpus(['imdb-tails', 'imdb-labels']);
    const [start, end] = corpus.manifest.imdb.sentPool;
    const records = imdbRecords(corpus);
    const positive = records.labels.subarray(start, end).reduce((n, label) => n + label, 0);
    expect(SENT_MAX_EXAMPLES).toBe(2 * Math.min(positive, end - start - positive));
    const task = makeSentTask(records, [start, end], { seed: 3, trainSize: SENT_MAX_EXAMPLES - 1000, testSize: 1000 });
    expect(task.train.length + task.test.length).toBe(SENT_MAX_EXAMPLES);
    expect(() => makeSentTask(records, [start, end], { seed: 3, trainSize: SENT_MAX_EXAMPLES - 998, testSize: 1000 })).toThrow(/SENT: not enough reviews/);
  });

  it('runs are (lambda, seed) pairs, seeds outer; shards split them round-robin without overlap', () => {
    const sweep = defaultSweep();
    const runs = sweepRuns(sweep);
    expect(runs).toHaveLength(15);
    expect(runs.slice(0, 2)).toEqual([{ lambda: 0, seed: 0 }, { lambda: 0.1, seed: 0 }]);
    const shards = [0, 1, 2, 3].map((i) => shardRuns(sweep, i, 4).map(runId));
    expect(shards.flat().sort()).toEqual(runs.map(runId).sort());
    expect(new Set(shards.flat()).size).toBe(15);
    expect(() => shardRuns(sweep, 4, 4)).toThrow(/shard/);
  });
});

describe('results documents', () => {
  const results: Results = {
    kind: 'plasticity-lab-results',
    version: 1,
    sweep: defaultSweep('tiny'),
    createdAt: '2026-11-26T00:00:00Z',
    updatedAt: '2026-11-26T00:00:00Z',
    device: { adapter: 'google / swiftshader', vendor: 'google', architecture: 'swiftshader', build: 'test' },
    runs: [
      {
        id: 'wd0-s0', lambda: 0, seed: 0, status: 'diverged', error: 'loss became NaN at step 3',
        timescale: { S: 1.2, shrink: 1, tauOverT: Infinity },
        pretrain: null, base: null, finetunes: [], events: [], device: 'google / swiftshader',
      },
    ],
    controls: [],
  };

  it('round-trip through JSON, with non-finite numbers as null', () => {
    const back = parseResults(JSON.parse(resultsToJson(results)));
    expect(back.runs[0].timescale.tauOverT).toBeNull();
    expect(back.sweep).toEqual(results.sweep);
  });

  it('reject a document of another kind or version, naming the field', () => {
    expect(() => parseResults({ ...results, kind: 'other' }, 'upload.json')).toThrow(/upload\.json[\s\S]*kind/);
    expect(() => parseResults({ ...results, version: 9 })).toThrow(/version/);
  });

  it('downsample keeps the first and last points', () => {
    const s = { x: Array.from({ length: 1000 }, (_, i) => i), y: Array.from({ length: 1000 }, (_, i) => i * 2) };
    const d = downsample(s, 50);
    expect(d.x).toHaveLength(50);
    expect([d.x[0], d.x.at(-1)]).toEqual([0, 999]);
    expect(d.y[10]).toBe(d.x[10] * 2);
  });
});
