// Everything in src/train that needs the WebGPU engine, in one file so SwiftShader compiles the pipelines
// once (about 25 s): resuming from a checkpoint bit for bit, divergence on the GPU, the evaluation adapters
// against the CPU spec engine, rows shorter than the context (a task's row length) against full rows, the
// memory estimate against what the engine allocates, and the train CLI end to end. Tiny preset, a handful of
// steps each.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseTrainArgs } from '../cli/train';
import { WindowSampler, type WindowSamplerState } from '../data/sampler';
import { ExampleSampler } from '../data/tasks/format';
import { spec } from '../model/params';
import { testGpu } from '../test/gpu';
import type { Engine } from '../engine/types';
import { WebGpuEngine } from '../engine/webgpu';
import type { ModelConfig } from '../model/config';
import { fixedWindowBatches } from './batches';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from './checkpoint';
import { engineGenerate, engineLogprob } from './evaluate';
import { estimateTrainingMemory } from './memory';
import { finetunePhase } from './phase';
import { runPhase } from './runPhase';
import { gpuEngine, overfitPeriodic, PERIODIC, recorder, sameBits, syntheticText, TINY, tinyPhase, tinySampler } from './testkit';

const text = syntheticText(20_000);
const scratch = mkdtempSync(join(tmpdir(), 'plasticity-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('resuming from a checkpoint (WebGPU engine, tiny preset)', () => {
  it('N steps straight == N/2 steps, checkpoint through bytes into a fresh engine, N/2 steps: bit for bit', async () => {
    const N = 8;
    const phase = tinyPhase(N, { submitSteps: 3, evalEvery: 3 });
    const validation = fixedWindowBatches(syntheticText(2_000), TINY.train.B, TINY.model.T, 1);

    const straightEngine = await gpuEngine(1);
    const straight = recorder({ validation });
    expect((await runPhase(straightEngine, phase, tinySampler(text), straight.hooks)).status).toBe('completed');
    const straightParams = await straightEngine.readParams();
    straightEngine.dispose();

    const firstEngine = await gpuEngine(1);
    const sampler = tinySampler(text);
    const resumed = recorder({ validation });
    const half = await runPhase(firstEngine, phase, sampler, resumed.hooks, { until: N / 2 });
    expect(half.status).toBe('suspended');
    // Same seed twice: the first half matches the straight run so far.
    expect(sameBits(resumed.rec.losses, straight.rec.losses.slice(0, N / 2))).toBe(true);
    const bytes = encodeCheckpoint(await captureCheckpoint(firstEngine, { phase, progress: half.progress, sampler: sampler.getState() }));
    firstEngine.dispose();

    const ckpt = decodeCheckpoint(bytes);
    const freshEngine = await gpuEngine(99); // different init: everything must come from the checkpoint
    await restoreCheckpoint(freshEngine, ckpt);
    const freshSampler = WindowSampler.fromState(text, ckpt.sampler as WindowSamplerState);
    const rest = await runPhase(freshEngine, ckpt.phase, freshSampler, resumed.hooks, { from: ckpt.progress });
    expect(rest.status).toBe('completed');

    console.log(`straight losses ${straight.rec.losses.map((x) => x.toFixed(5)).join(' ')}`);
    expect(resumed.rec.losses).toHaveLength(N);
    expect(sameBits(resumed.rec.losses, straight.rec.losses)).toBe(true);
    expect(sameBits(resumed.rec.gradNorms, straight.rec.gradNorms)).toBe(true);
    expect(resumed.rec.evals.map((e) => e.step)).toEqual([0, 3, 6, 8]);
    expect(sameBits(resumed.rec.evals.map((e) => e.valLoss), straight.rec.evals.map((e) => e.valLoss))).toBe(true);
    expect(sameBits(await freshEngine.readParams(), straightParams)).toBe(true);
    freshEngine.dispose();
  });
});

describe('divergence on the WebGPU engine', () => {
  it('a NaN written into the parameters stops the phase at step 1 with the reason', async () => {
    const engine = await gpuEngine(1);
    const params = await engine.readParams();
    params[spec(engine.table, 'normf').offset] = Number.NaN;
    await engine.writeParams(params);
    const result = await runPhase(engine, tinyPhase(4, { submitSteps: 2 }), tinySampler(text));
    expect(result.status).toBe('diverged');
    expect(result.reason).toMatch(/training loss is NaN at step 1/);
    engine.dispose();
  });
});

describe('evaluation adapters on the WebGPU engine', () => {
  it('generate and score like the CPU spec engine with the same (memorised-text) parameters', async () => {
    const cpu = await overfitPeriodic();
    const engine = await gpuEngine(1);
    await engine.writeParams(await cpu.readParams());
    const prompts = ['the qu', 'brown f', 'jumps. t', 'x'];
    const [onGpu, onCpu] = [await engineGenerate(engine, { rows: 4 })(prompts, 8), await engineGenerate(cpu, { rows: 4 })(prompts, 8)];
    expect(onGpu).toEqual(onCpu);
    expect(onGpu.slice(0, 3)).toEqual(['ick brow', 'ox jumps', 'he quick']);
    const items = [{ prompt: 'the quick', continuation: ' brown' }, { prompt: 'fox', continuation: ' jumps.' }, { prompt: 'zz', continuation: 'q' }];
    const [lpGpu, lpCpu] = [await engineLogprob(engine, { rows: 4 })(items), await engineLogprob(cpu, { rows: 4 })(items)];
    lpGpu.forEach((lp, i) => expect(Math.abs(lp - lpCpu[i]), `item ${i}: gpu ${lp} cpu ${lpCpu[i]}`).toBeLessThan(1e-3 + 1e-4 * Math.abs(lpCpu[i])));
    expect(PERIODIC.startsWith('the quick')).toBe(true);
    engine.dispose();
  });
});

describe('rows shorter than the context on the WebGPU engine (task row lengths, data/tasks/rows.ts)', () => {
  it('fine-tuning steps, generation and likelihoods on rows of 8 match rows of the context (16)', async () => {
    // Every example needs at most 4 + 3 - 1 = 6 positions, generation of 3 characters too: rows of 8 hold it.
    const examples = Array.from({ length: 32 }, (_, i) => ({ prompt: `${'abcdefgh'[i % 8]}${i % 10}${'xyz'[i % 3]}=`, answer: `${i % 10}${'xyz'[i % 3]}\n` }));
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b); // f32; reductions may split differently per shape
    const config = finetunePhase({ pretrainPeakLr: 0.06, batchesPerEpoch: 4, epochs: 1 }, { submitSteps: 2 });
    const run = async (T: number) => {
      const engine = await gpuEngine(1);
      const { hooks, rec } = recorder();
      expect((await runPhase(engine, config, new ExampleSampler(examples, { seed: 3, batchSize: 8, seqLen: T }), hooks)).status).toBe('completed');
      return { engine, rec };
    };
    const [short, full] = [await run(8), await run(TINY.model.T)];
    short.rec.losses.forEach((loss, i) => expect(close(loss, full.rec.losses[i]), `loss ${i + 1}: rows of 8 ${loss}, rows of 16 ${full.rec.losses[i]}`).toBe(true));
    short.rec.gradNorms.forEach((n, i) => expect(close(n, full.rec.gradNorms[i]), `grad norm ${i + 1}: ${n} vs ${full.rec.gradNorms[i]}`).toBe(true));
    const prompts = examples.slice(0, 6).map((ex) => ex.prompt);
    expect(await engineGenerate(short.engine, { rows: 4, T: 8 })(prompts, 3)).toEqual(await engineGenerate(short.engine, { rows: 4 })(prompts, 3));
    const items = examples.slice(0, 6).map((ex) => ({ prompt: ex.prompt, continuation: ex.answer }));
    const [lpShort, lpFull] = [await engineLogprob(short.engine, { rows: 4, T: 8 })(items), await engineLogprob(short.engine, { rows: 4 })(items)];
    lpShort.forEach((lp, i) => expect(close(lp, lpFull[i]), `item ${i}: rows of 8 ${lp}, rows of 16 ${lpFull[i]}`).toBe(true));
    short.engine.dispose();
    full.engine.dispose();
  });
});

describe('memory estimate vs the WebGPU engine', () => {
  for (const shape of [{ B: TINY.train.B, T: TINY.model.T }, { B: 128, T: 16 }]) {
    it(`is within 3% of engine.bytesInUse at B=${shape.B}, T=${shape.T} (uniform buffers are left out)`, async () => {
      const engine = await gpuEngine(1);
      const batch = fixedWindowBatches(text, shape.B, shape.T, 1)[0];
      await engine.evalLoss(batch); // builds the shape's plan
      const estimate = estimateTrainingMemory(TINY.model, [shape]);
      const ratio = estimate.total / engine.bytesInUse;
      console.log(`B=${shape.B} T=${shape.T}: estimate ${estimate.total} bytes (workspace ${estimate.workspace}), engine.bytesInUse ${engine.bytesInUse} (ratio ${ratio.toFixed(3)})`);
      expect(ratio).toBeGreaterThan(0.97);
      expect(ratio).toBeLessThan(1.03);
      engine.dispose();
    });
  }
});

describe('npm run train (src/cli/train.ts main), tiny preset', () => {
  it('parses its arguments and explains bad ones', () => {
    expect(parseTrainArgs(['--preset', 'tiny', '--wd', '0.3'])).toMatchObject({ preset: 'tiny', wd: 0.3, seed: 1, decayGroup: 'all', out: join('runs', 'tiny-wd0.3-s1') });
    expect(() => parseTrainArgs(['--preset', 'huge', '--wd', '0'])).toThrow(/--preset must be one of/);
    expect(() => parseTrainArgs(['--preset', 'tiny'])).toThrow(/--wd/);
    expect(() => parseTrainArgs(['--preset', 'tiny', '--wd', '0', '--steps', '2.5'])).toThrow(/--steps must be an integer/);
    expect(() => parseTrainArgs(['--preset', 'tiny', '--wd', '0', '--decay-group', 'some'])).toThrow(/all or matrices/);
  });

  it('trains, prints progress, writes metrics and a checkpoint; a stopped run resumes into another directory; exits 0', async () => {
    const out = join(scratch, 'ok');
    const lines: string[] = [];
    const args = ['--preset', 'tiny', '--wd', '0.1', '--steps', '6', '--eval-every', '3', '--val-batches', '2', '--decay-group', 'matrices', '--out', out];
    expect(await main(args, { gpu: await testGpu(), log: (l) => lines.push(l) })).toBe(0);
    console.log(lines.join('\n'));
    expect(lines.some((l) => /^step 6\/6 {2}loss \d\.\d{4} {2}val \d\.\d{4} bits\/char {2}lr \S+ {2}[\d,]+ tok\/s$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^completed at step 6\/6/);
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((r) => r.type === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records.filter((r) => r.type === 'eval').map((r) => r.step)).toEqual([0, 3, 6]);
    expect(records.at(-1)).toMatchObject({ type: 'result', status: 'completed', stepsDone: 6 });
    const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(join(out, 'checkpoint.bin'))));
    expect(ckpt).toMatchObject({ progress: { step: 6 }, sampler: { kind: 'window-sampler', step: 6 }, model: { decayGroup: 'matrices' }, meta: { preset: 'tiny', seed: 1, lambda: 0.1 } });
    lines.length = 0;
    // the finished run's last checkpoint has nothing left to train: refused, in another directory too
    const finished = ['--preset', 'tiny', '--wd', '0.1', '--resume', join(out, 'checkpoint.bin'), '--out', join(scratch, 'finished-elsewhere')];
    expect(await main(finished, { gpu: await testGpu(), log: (l) => lines.push(l), error: (l) => lines.push(l) })).toBe(1);
    expect(lines.join('\n')).toMatch(/is the end of a finished run: resuming it into --out .*finished-elsewhere would only write a zero-step result there/);

    // a run stopped after its first progress line resumes into another directory, from the GPU's own checkpoint
    const stopped = join(scratch, 'stopped');
    const stop = new AbortController();
    lines.length = 0;
    const log = (l: string) => (lines.push(l), l.startsWith('step ') && stop.abort());
    expect(await main([...args.slice(0, -1), stopped], { gpu: await testGpu(), log, signal: stop.signal })).toBe(130);
    const at = decodeCheckpoint(new Uint8Array(readFileSync(join(stopped, 'checkpoint.bin')))).progress.step;
    expect(lines.at(-1)).toMatch(new RegExp(`^cancelled at step ${at}/6`));
    expect(at).toBeLessThan(6);
    lines.length = 0;
    const moved = join(scratch, 'resumed');
    const resumed = ['--preset', 'tiny', '--wd', '0.1', '--resume', join(stopped, 'checkpoint.bin'), '--out', moved];
    expect(await main(resumed, { gpu: await testGpu(), log: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`resuming at ${at}[\\s\\S]*completed at step 6/6`));
    const steps = readFileSync(join(moved, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'step');
    expect(steps.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6].slice(at));
    expect(decodeCheckpoint(new Uint8Array(readFileSync(join(moved, 'checkpoint.bin'))))).toMatchObject({ progress: { step: 6 }, meta: { preset: 'tiny', seed: 1 } });
  });

  it('reports divergence clearly and exits 2 (the GPU engine\'s parameters blown up after its first step)', async () => {
    const lines: string[] = [];
    // --wd is capped at 100, which the tiny preset survives: the first step's update is made to overflow instead.
    const blownUp = async (config: ModelConfig): Promise<Engine> => {
      const engine = await WebGpuEngine.create(await testGpu(), config);
      const step = engine.step.bind(engine);
      let steps = 0;
      engine.step = (hyper) => step(++steps === 1 ? { ...hyper, lr: 1e30 } : hyper);
      return engine;
    };
    const args = ['--preset', 'tiny', '--wd', '0.1', '--steps', '4', '--val-batches', '1', '--out', join(scratch, 'diverged')];
    expect(await main(args, { gpu: await testGpu(), createEngine: blownUp, log: (l) => lines.push(l), error: (l) => lines.push(l) })).toBe(2);
    console.log(lines.at(-1));
    expect(lines.at(-1)).toMatch(/^DIVERGED after \d steps: .*(NaN|Infinity|above)/);
  });

  it('says what to do when the corpus is missing or an argument is wrong (exit 1)', async () => {
    const lines: string[] = [];
    expect(await main(['--preset', 'tiny'], { log: (l) => lines.push(l), error: (l) => lines.push(l) })).toBe(1);
    expect(lines.join('\n')).toMatch(/usage: npm run train/);
  });
});
