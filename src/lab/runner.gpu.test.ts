// The experiment runner end to end on the WebGPU engine (SwiftShader here), through the sweep CLI: the tiny
// two-lambda, two-seed sweep (configs/tiny.json) with its tasks, probes and controls, checked against the
// CPU spec engine; then a rerun that skips every finished run. One file, so the pipelines compile once.
// Orchestration details (resume points, shards, divergence) are tested on the CPU engine (runner.test.ts).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/sweep';
import { testGpu } from '../test/gpu';
import { RESULTS_FILE } from './persist/files';
import { parseResults } from './results';
import { runSweep } from './runner';
import { comparable, cpuHost, scratchDir, TINY_CONFIG, tinySweep } from './runner.testkit';

const out = scratchDir('plasticity-runner-gpu-');
afterAll(() => rmSync(out, { recursive: true, force: true }));

const close = (a: number, b: number, rtol: number) => Math.abs(a - b) <= rtol * Math.abs(b);

describe('a tiny sweep on the WebGPU engine (npm run sweep)', () => {
  it('runs 2 lambdas x 2 seeds end to end, agrees with the CPU engine, and a rerun skips every finished run', async () => {
    const gpu = await testGpu();
    const lines: string[] = [];
    const started = performance.now();
    expect(await main(['--config', TINY_CONFIG, '--out', out], { gpu, log: (l) => lines.push(l) }), lines.join('\n')).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    console.log(`tiny sweep on ${gpu.adapter.description || gpu.adapter.vendor}: ${seconds.toFixed(1)} s (pipeline compilation included)\n${lines.join('\n')}`);

    const results = parseResults(JSON.parse(readFileSync(join(out, RESULTS_FILE), 'utf8')));
    expect(results.runs.map((r) => `${r.id}:${r.status}`)).toEqual(['wd0-s0:done', 'wd1-s0:done', 'wd0-s1:done', 'wd1-s1:done']);
    expect(results.controls).toHaveLength(4);
    expect(results.device.adapter).toMatch(/swiftshader|nvidia|amd|intel|apple/i);
    expect(lines.some((l) => /^wd0-s0: pretrain 8\/8 {2}loss \d\.\d{4} {2}val \d\.\d{4} bits\/char/.test(l))).toBe(true);
    for (const run of results.runs) {
      expect(Number.isFinite(run.base!.valBitsPerChar)).toBe(true);
      expect(run.base!.probes.every((p) => p.accuracy >= 0 && p.accuracy <= 1)).toBe(true);
      expect(run.finetunes.map((f) => f.status)).toEqual(['done', 'done']);
    }
    const firstLoss = (id: string) => results.runs.find((r) => r.id === id)!.pretrain!.loss.y[0];
    expect(firstLoss('wd0-s0')).toBe(firstLoss('wd1-s0')); // same init and data order across lambda

    // The same run on the CPU spec engine: f32 GPU vs float64 CPU, a few roundings per step apart.
    const cpu = await runSweep(await cpuHost(scratchDir()), tinySweep(), { sweepId: 'cpu', runs: [{ lambda: 1, seed: 0 }] });
    const [g, c] = [results.runs[1], cpu.runs[0]];
    g.pretrain!.loss.y.forEach((y, i) => expect(close(y!, c.pretrain!.loss.y[i]!, 1e-4), `loss at step ${i + 1}: gpu ${y} cpu ${c.pretrain!.loss.y[i]}`).toBe(true));
    expect(close(g.base!.valBitsPerChar!, c.base!.valBitsPerChar!, 1e-4)).toBe(true);
    expect(close(g.finetunes[0].score.answerNll!, c.finetunes[0].score.answerNll!, 1e-3)).toBe(true);

    const again: string[] = [];
    expect(await main(['--config', TINY_CONFIG, '--out', out], { gpu, log: (l) => again.push(l) })).toBe(0);
    expect(again.filter((l) => l.endsWith('already done, skipped'))).toHaveLength(4);
    expect(comparable(parseResults(JSON.parse(readFileSync(join(out, RESULTS_FILE), 'utf8'))))).toEqual(comparable(results));
  });
});
