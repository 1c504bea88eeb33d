// The calibration CLI on the CPU engine and the tiny preset: arguments, the derived sweeps, the score table
// and the advice; the GPU path is the sweep CLI's (src/lab/runner.gpu.test.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import { scratchDir, TINY_CONFIG, tinySweep } from '../lab/runner.testkit';
import { calibrationSweep, main, midLambda, parseCalibrateArgs, recommend, sizeInBand } from './calibrate';

const root = scratchDir('plasticity-calibrate-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run calibrate: arguments and derived sweeps', () => {
  it('parses sizes (sorted, distinct), an optional lambda and seeds', () => {
    expect(parseCalibrateArgs(['--config', 'c.json', '--out', 'o', '--task', 'KV', '--sizes', '400,100,400', '--seeds', '0,2'])).toEqual({ config: 'c.json', out: 'o', task: 'KV', sizes: [100, 400], seeds: [0, 2] });
    expect(parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'SENT', '--sizes', '10', '--lambda', '0.3']).lambda).toBe(0.3);
  });

  it('explains bad arguments', () => {
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'DOMAIN', '--sizes', '10'])).toThrow(/--task must be one of ADD-R, KV, SENT, PIGLATIN/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '10,x'])).toThrow(/--sizes must be a comma-separated list of non-negative integers/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV'])).toThrow(/--sizes is required/);
    expect(() => parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '1', '--epochs', '2'])).toThrow(/unknown argument "--epochs"/);
  });

  it('derives one sweep per size: the middle lambda, only the task, no probes or controls', () => {
    const base = { ...tinySweep(), lambdas: [0, 0.1, 0.3, 1, 3] };
    expect(midLambda(base)).toBe(0.3);
    const sweep = calibrationSweep(base, parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'ADD-R', '--sizes', '64']), 64);
    expect(sweep).toMatchObject({ lambdas: [0.3], seeds: base.seeds, probes: [], randomInitControl: false });
    expect(sweep.tasks).toEqual([{ ...base.tasks.find((t) => t.name === 'ADD-R')!, trainSize: 64 }]);
    expect(() => calibrationSweep(base, parseCalibrateArgs(['--config', 'c', '--out', 'o', '--task', 'KV', '--sizes', '64']), 64)).toThrow(/has no KV task/);
  });

  it('recommends the smallest size in the band, or which way to go', () => {
    const s = (size: number, score: number | null) => ({ size, score, seeds: 1 });
    expect(recommend([s(100, 0.1), s(200, 0.45), s(400, 0.6)])).toMatch(/use trainSize 200 \(score 45.0%/);
    expect(recommend([s(100, 0.05), s(200, 0.2)])).toMatch(/below 30%: try sizes above 200/);
    expect(recommend([s(100, 0.8), s(200, 0.9)])).toMatch(/above 70%: try sizes below 100/);
    expect(recommend([s(100, 0.1), s(200, 0.9)])).toMatch(/jump over the band/);
    expect(recommend([s(100, null)])).toMatch(/nothing to recommend/);
  });
});

describe('npm run calibrate on the tiny preset (CPU engine)', () => {
  it('runs a sweep per size, prints the table and writes the summary', async () => {
    const out = join(root, 'addr');
    const lines: string[] = [];
    const code = await main(['--config', TINY_CONFIG, '--out', out, '--task', 'ADD-R', '--sizes', '8,16', '--seeds', '0'], {
      createEngine: async (config) => createCpuEngine(config),
      log: (l) => lines.push(l),
    });
    expect(code, lines.join('\n')).toBe(0);
    for (const size of [8, 16]) expect(existsSync(join(out, `ADD-R-${size}`, 'results.json'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'ADD-R-calibration.json'), 'utf8'));
    expect(summary.scores.map((s: { size: number }) => s.size)).toEqual([8, 16]);
    for (const s of summary.scores) {
      expect(s.seeds).toBe(1);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
    }
    expect(lines.join('\n')).toMatch(/ADD-R after fine-tuning at lambda 0 \(mean over seeds\):\n\s+8 examples: \d+\.\d%/);
    expect(summary.advice).toBe(recommend(summary.scores));
    expect(summary.inBand).toBe(sizeInBand(summary.scores)?.size ?? null);
  });
});
