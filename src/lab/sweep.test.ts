import { describe, expect, it } from 'vitest';
import { defaultSweep, parseSweep, runId, shardRuns, sweepRuns, SweepError } from './sweep';
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
