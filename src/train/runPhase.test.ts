// The one training loop on the CPU spec engine (cheap): determinism, resumption in slices, validation
// points, divergence (NaN and a blow-up), pause / cancel, and fine-tuning with answer-only loss.
import { describe, expect, it } from 'vitest';
import { makeAddRTask } from '../data/tasks/addr';
import { ExampleSampler } from '../data/tasks/format';
import { lossWeights } from '../engine/types';
import { spec } from '../model/params';
import { fixedWindowBatches } from './batches';
import { PhaseControl } from './control';
import { finetunePhase } from './phase';
import { runPhase } from './runPhase';
import { phaseLr } from './schedule';
import { cpuEngine, recorder, sameBits, syntheticText, TINY, tinyPhase, tinySampler } from './testkit';

const text = syntheticText(20_000);
const validation = fixedWindowBatches(syntheticText(3_000), TINY.train.B, TINY.model.T, 2);

async function straight(steps: number, overrides = {}) {
  const engine = await cpuEngine(1);
  const { hooks, rec } = recorder({ validation });
  const result = await runPhase(engine, tinyPhase(steps, { submitSteps: 4, evalEvery: 5, ...overrides }), tinySampler(text), hooks);
  return { engine, rec, result };
}

describe('runPhase on the CPU engine', () => {
  it('gives bit-identical loss curves for the same seed twice, reports every step once and in order', async () => {
    const a = await straight(20);
    const b = await straight(20);
    expect(a.result.status).toBe('completed');
    expect(a.rec.losses).toHaveLength(20);
    expect(sameBits(a.rec.losses, b.rec.losses)).toBe(true);
    expect(sameBits(a.rec.evals.map((e) => e.valLoss), b.rec.evals.map((e) => e.valLoss))).toBe(true);
    expect(sameBits(a.engine.params, b.engine.params)).toBe(true);
    expect(a.rec.batches.map((m) => m.firstStep)).toEqual([1, 5, 6, 10, 11, 15, 16, 20]); // chunks of 4 cut at evals
    expect(a.rec.lrs).toEqual(Array.from({ length: 20 }, (_, t) => phaseLr(TINY.train, 20, t)));
    expect(a.rec.evals.map((e) => e.step)).toEqual([0, 5, 10, 15, 20]);
    expect(a.rec.losses.at(-1)!).toBeLessThan(a.rec.losses[0]);
    expect(a.result.progress.step).toBe(20);
  });

  it('runs a phase in slices (until / from) bit-identically to one call', async () => {
    const a = await straight(20);
    const engine = await cpuEngine(1);
    const sampler = tinySampler(text);
    const config = tinyPhase(20, { submitSteps: 4, evalEvery: 5 });
    const { hooks, rec } = recorder({ validation });
    const first = await runPhase(engine, config, sampler, hooks, { until: 7 });
    expect(first.status).toBe('suspended');
    expect(first.stepsDone).toBe(7);
    expect(sampler.getState().step).toBe(7);
    const second = await runPhase(engine, config, sampler, hooks, { from: first.progress });
    expect(second.status).toBe('completed');
    expect(second.stepsThisCall).toBe(13);
    expect(sameBits(rec.losses, a.rec.losses)).toBe(true);
    expect(rec.evals.map((e) => e.step)).toEqual([0, 5, 10, 15, 20]);
    expect(sameBits(engine.params, a.engine.params)).toBe(true);
    await expect(runPhase(engine, config, tinySampler(text), hooks, { from: first.progress })).rejects.toThrow(/sampler is at batch 0 but the phase is at step 7/);
  });

  it('stops with status diverged on a NaN in the parameters, at step 1', async () => {
    const engine = await cpuEngine(1);
    const params = await engine.readParams();
    params[spec(engine.table, 'normf').offset] = Number.NaN; // every position passes the final norm
    await engine.writeParams(params);
    const result = await runPhase(engine, tinyPhase(12, { submitSteps: 4 }), tinySampler(text));
    expect(result.status).toBe('diverged');
    expect(result.reason).toMatch(/training loss is NaN at step 1/);
  });

  it('stops with status diverged on lambda 10 at lr 1 (each step multiplies the weights by 1 - lr*lambda = -9)', async () => {
    const engine = await cpuEngine(1);
    const config = tinyPhase(200, { weightDecay: 10, schedule: { peakLr: 1, warmupFrac: 0.02, minLrFrac: 0.1 }, submitSteps: 4 });
    const result = await runPhase(engine, config, tinySampler(text));
    expect(result.status).toBe('diverged');
    expect(result.stepsDone).toBeLessThan(40);
    console.log(`lambda 10, lr 1: ${result.reason}`);
  });

  it('does not call lambda 10 at the preset lr divergence: weights shrink towards the uniform loss ln V', async () => {
    const engine = await cpuEngine(1);
    const result = await runPhase(engine, tinyPhase(40, { weightDecay: 10, submitSteps: 8 }), tinySampler(text));
    expect(result.status).toBe('completed');
  });

  it('cancels through an AbortSignal at a submit boundary, finishing the chunk in flight', async () => {
    const engine = await cpuEngine(1);
    const sampler = tinySampler(text);
    const abort = new AbortController();
    const { hooks, rec } = recorder({ signal: abort.signal, onMetrics: () => abort.abort() });
    const result = await runPhase(engine, tinyPhase(40, { submitSteps: 4 }), sampler, hooks);
    expect(result.status).toBe('cancelled');
    expect(result.stepsDone).toBe(8); // chunk 1 reported (abort), chunk 2 was already queued
    expect(rec.losses).toHaveLength(8);
    expect(sampler.getState().step).toBe(8);
  });

  it('pauses and resumes through a PhaseControl without changing the curve', async () => {
    const a = await straight(12, { evalEvery: 0 });
    const control = new PhaseControl();
    let pauses = 0;
    const { hooks, rec } = recorder({
      validation,
      control,
      onMetrics: () => {
        if (pauses++ === 0) {
          control.pause();
          setTimeout(() => control.resume(), 20);
        }
      },
    });
    const result = await runPhase(await cpuEngine(1), tinyPhase(12, { submitSteps: 4, evalEvery: 0 }), tinySampler(text), hooks);
    expect(result.status).toBe('completed');
    expect(sameBits(rec.losses, a.rec.losses)).toBe(true);
  });

  it("a batch the engine refuses fails the phase with the forward's reason, not backward's \"needs forward() first\"", async () => {
    const engine = await cpuEngine(1);
    const inner = tinySampler(text);
    const sampler = { config: inner.config, getState: () => inner.getState(), next: () => {
      const batch = inner.next();
      batch.inputs[5] = 200; // outside the 128-character vocabulary
      return batch;
    } };
    await expect(runPhase(engine, tinyPhase(4), sampler)).rejects.toThrow(/token 200 .* outside \[0, 128\)/);
  });

  it('fine-tunes on answer tokens only, with no decay and a cosine to 0', async () => {
    const task = makeAddRTask({ seed: 3, trainSize: 64, testSize: 8 });
    const sampler = new ExampleSampler(task.train, { seed: 5, batchSize: 8, seqLen: TINY.model.T });
    const config = finetunePhase({ pretrainPeakLr: TINY.train.peakLr, batchesPerEpoch: sampler.batchesPerEpoch, epochs: 1 }, { submitSteps: 3 });
    expect(config).toMatchObject({ kind: 'finetune', steps: 8, weightDecay: 0, schedule: { peakLr: TINY.train.peakLr / 20, minLrFrac: 0 } });
    const engine = await cpuEngine(2);
    const first = sampler.batchAt(0);
    const answerOnly = await engine.evalLoss({ B: 8, T: TINY.model.T, tokens: first.inputs, targets: first.targets, weights: lossWeights(first.mask) });
    const { hooks, rec } = recorder();
    const result = await runPhase(engine, config, sampler, hooks);
    expect(result.status).toBe('completed');
    expect(rec.losses[0]).toBe(answerOnly);
    expect(rec.lrs.at(-1)!).toBeCloseTo(phaseLr(config.schedule, 8, 7), 15);
  });
});
