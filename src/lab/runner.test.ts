// The experiment runner's orchestration on the CPU engine (fast; the WebGPU end to end is runner.gpu.test.ts):
// what a sweep measures and where it lands, resuming after interruptions at several points (between runs,
// mid-pretraining, mid-fine-tuning) giving the same numbers as an uninterrupted sweep, divergence, the memory
// refusal, and the stored document matching what runSweep returns. Tiny preset, tiny tasks (configs/tiny.json).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import type { StepHyper } from '../engine/types';
import { PRESETS } from '../model/config';
import { LIVE_SERIES } from '../state/labModel';
import { parseResults, resultsToJson, type Results } from './results';
import { runSweep, type RunnerEvent } from './runner';
import { comparable, cpuHost, scratchDir, tinySweep } from './runner.testkit';
import { SweepError, sweepRuns } from './sweep';
import { batchShapes } from './runnerPlan';
import { checkTrainingMemory } from '../train/memory';

const sweep = tinySweep();
const { L, NH } = PRESETS.tiny.model;
const dirs: string[] = [];
const dir = () => {
  dirs.push(scratchDir());
  return dirs.at(-1)!;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let straight: Results;
let straightEvents: RunnerEvent[];
let straightDir: string;

beforeAll(async () => {
  straightDir = dir();
  const host = await cpuHost(straightDir);
  straight = await runSweep(host, sweep, { sweepId: 'tiny' });
  straightEvents = host.events;
});

describe('a tiny sweep on the CPU engine', () => {
  it('finishes every run and control, and returns schema-valid results equal to what the store holds', async () => {
    expect(straight.runs.map((r) => [r.id, r.status])).toEqual(sweepRuns(sweep).map((k) => [`wd${k.lambda}-s${k.seed}`, 'done']));
    expect(straight.controls.map((c) => `${c.task}/${c.seed}`)).toEqual(['ADD-R/0', 'SENT/0', 'ADD-R/1', 'SENT/1']);
    expect(() => parseResults(JSON.parse(resultsToJson(straight)))).not.toThrow();
    const host = await cpuHost(straightDir);
    const stored = await host.store.loadSweep('tiny');
    expect(stored.finished).toBe(true);
    expect(stored.lastCheckpoints).toEqual({}); // a finished run frees its checkpoints
    expect(comparable(stored.results)).toEqual(comparable(straight));
  });

  it('records pretraining: per-step loss, validation every evalEvery, weight norms per layer at each checkpoint', () => {
    const p = straight.runs[0].pretrain!;
    expect(p.steps).toBe(8);
    expect(p.tokens).toBe(8 * sweep.pretrain.batch * PRESETS.tiny.model.T);
    expect(p.loss.x).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(p.valBitsPerChar.x).toEqual([0, 4, 8]);
    expect(p.weightNorms.step).toEqual([0, 4, 8]); // tiny: 2 checkpoints a phase
    expect(p.weightNorms.layers).toHaveLength(L + 2); // embeddings, each layer, head
    const r = straight.runs[0];
    expect(r.timescale.tauOverT).toBeNull(); // lambda 0
    expect(straight.runs[1].timescale.shrink).toBeCloseTo(Math.exp(-straight.runs[1].timescale.S), 12);
  });

  it('pairs runs of a seed: the same data order and init whatever lambda (step 1 loss equal), other seeds differ', () => {
    const first = (id: string) => straight.runs.find((r) => r.id === id)!.pretrain!.loss.y[0];
    expect(first('wd0-s0')).toBe(first('wd1-s0'));
    expect(first('wd0-s1')).toBe(first('wd1-s1'));
    expect(first('wd0-s0')).not.toBe(first('wd0-s1'));
    const norms = (id: string) => straight.runs.find((r) => r.id === id)!.pretrain!.weightNorms.layers[1];
    expect(norms('wd1-s0').at(-1)!).toBeLessThan(norms('wd0-s0').at(-1)!); // decay shrinks the weights
  });

  it('measures the base model: gap, perturbation, zero-shot, probes with untrained baselines, spectra', () => {
    const b = straight.runs[0].base!;
    for (const x of [b.valBitsPerChar, b.seenBitsPerChar, b.unseenBitsPerChar, b.trainValGap, b.perturbation?.bitsPerCharIncrease]) expect(Number.isFinite(x)).toBe(true);
    expect(b.trainValGap).toBeCloseTo(b.unseenBitsPerChar! - b.seenBitsPerChar!, 12);
    expect(b.zeroShot.map((z) => [z.task, z.score.metric])).toEqual([['ADD-R', 'exact'], ['SENT', 'accuracy']]);
    expect(b.zeroShot[0].score.answerNll).toBeGreaterThan(0);
    expect(b.probes).toHaveLength(2 * (L + 1) * 2); // 2 probes x depths x poolings
    expect(new Set(b.probes.map((p) => `${p.probe}/${p.layer}/${p.pooling}`)).size).toBe(b.probes.length);
    // The untrained baseline depends on the seed only.
    const untrained = (id: string) => straight.runs.find((r) => r.id === id)!.base!.probes.map((p) => p.untrained);
    expect(untrained('wd1-s0')).toEqual(untrained('wd0-s0'));
    expect(b.spectra).toHaveLength(L * NH);
    expect(b.spectra[0].qk.singularValues).toHaveLength(PRESETS.tiny.model.HS);
    // What each measurement cost, by name, in the order taken.
    expect(Object.keys(b.seconds!)).toEqual(['validation', 'perturbation', 'zero-shot ADD-R', 'zero-shot SENT', 'probes', 'spectra']);
    for (const s of Object.values(b.seconds!)) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('fine-tunes each task from the base: score, gain, curves, stepsTo50; controls from the untrained model', () => {
    const [addr, sent] = straight.runs[0].finetunes;
    expect([addr.task, sent.task]).toEqual(['ADD-R', 'SENT']);
    expect(addr.curve.x).toEqual([1, 2, 3, 4]); // 16 examples, batch 4, 1 epoch
    expect(addr.scoreCurve!.x).toEqual([0, 2, 4]);
    expect(addr.score.metric).toBe('exact');
    expect(addr.score.answerNll).toBeGreaterThan(0);
    expect(addr.gain).toBeCloseTo(addr.score.value! - straight.runs[0].base!.zeroShot[0].score.value!, 12);
    expect(addr.stepsTo50 === null || addr.scoreCurve!.x.includes(addr.stepsTo50!)).toBe(true);
    expect(sent.score.metric).toBe('accuracy');
    expect('stepsTo50' in sent).toBe(false); // exact-match tasks only
    expect(straight.controls[0].result.status).toBe('done');
  });

  it('emits every status change, then metrics batches named as the page expects', () => {
    const statuses = straightEvents.filter((e) => e.type === 'run' && e.run.id === 'wd0-s0').map((e) => (e as { run: { status: string } }).run.status);
    expect([...new Set(statuses)]).toEqual(['pending', 'pretraining', 'measuring', 'finetuning', 'done']);
    const names = new Set(straightEvents.flatMap((e) => (e.type === 'metrics' ? Object.keys(e.batch.series) : [])));
    for (const name of [LIVE_SERIES.pretrainLoss, LIVE_SERIES.pretrainValBitsPerChar, LIVE_SERIES.finetuneLoss('ADD-R'), LIVE_SERIES.finetuneScore('SENT')]) expect(names).toContain(name);
    expect(straightEvents.filter((e) => e.type === 'control')).toHaveLength(4);
  });
});

describe('DOMAIN', () => {
  it('measures zero-shot bits/char on the domain text, fine-tunes on it, and reports the gain and forgetting', async () => {
    const domain = { ...sweep, lambdas: [0], seeds: [0], probes: [], tasks: [{ name: 'DOMAIN' as const, trainSize: 4096, testSize: 64 }] };
    const results = await runSweep(await cpuHost(dir()), domain, { sweepId: 'domain' });
    const [run] = results.runs;
    const zeroShot = run.base!.zeroShot[0].score;
    expect(zeroShot).toEqual({ metric: 'bpc', value: run.base!.domainBitsPerChar });
    const [ft] = run.finetunes;
    expect(ft.score.metric).toBe('bpc');
    expect(ft.gain).toBeCloseTo(zeroShot.value! - ft.score.value!, 12); // lower is better: before minus after
    expect(ft.gain!).toBeGreaterThan(0); // a whole 4,096-character chunk of verse, 63 steps at batch 4
    expect(Number.isFinite(ft.forgetting)).toBe(true);
    expect(ft.curve.x.at(-1)).toBe(63);
    expect(results.controls[0]).toMatchObject({ task: 'DOMAIN', seed: 0, result: { status: 'done' } });
  });
});

describe('resuming', () => {
  it('a sweep interrupted between runs, mid-pretraining and mid-fine-tuning, then resumed, gives the same results', async () => {
    const where = dir();
    // Each stop aborts the sweep at one moment: after a run finished, after a checkpoint was saved.
    type Stop = { event?: (e: RunnerEvent) => boolean; checkpoint?: (runId: string, phase: string) => boolean };
    const stops: Stop[] = [
      { event: (e) => e.type === 'run' && e.run.id === 'wd0-s0' && e.run.status === 'done' }, // between runs
      { checkpoint: (runId, phase) => runId === 'wd1-s0' && phase === 'pretrain' }, // mid-pretraining (step 4 of 8)
      { checkpoint: (runId, phase) => runId === 'wd1-s0' && phase === 'finetune:ADD-R' }, // mid-fine-tuning (step 2 of 4)
      {},
    ];
    const logs: string[] = [];
    let results: Results | undefined;
    for (const stop of stops) {
      const abort = new AbortController();
      const host = await cpuHost(where, (e) => stop.event?.(e) && abort.abort());
      const save = host.store.saveCheckpoint.bind(host.store);
      host.store.saveCheckpoint = async (sweepId, runId, phase, bytes, step) => {
        await save(sweepId, runId, phase, bytes, step);
        if (stop.checkpoint?.(runId, phase)) abort.abort();
      };
      const resume = host.store.sweepId ? (await host.store.loadSweep('tiny')).results : undefined;
      results = await runSweep(host, sweep, { sweepId: 'tiny', signal: abort.signal, resume });
      logs.push(...host.logs);
    }
    expect(logs.filter((l) => /^sweep cancelled/.test(l))).toHaveLength(3);
    expect(logs).toContain('wd0-s0: already done, skipped');
    expect(logs).toContain('wd1-s0: pretrain resumes from its checkpoint at step 4 of 8');
    expect(logs).toContain('wd1-s0: finetune:ADD-R resumes from its checkpoint at step 2 of 4');
    expect(comparable(results!)).toEqual(comparable(straight));
  });

  it('a cancel between runs is an event of the run that was next (a reload must not resume a cancelled sweep)', async () => {
    const abort = new AbortController();
    const host = await cpuHost(dir(), (e) => e.type === 'run' && e.run.id === 'wd0-s0' && e.run.status === 'done' && abort.abort());
    const results = await runSweep(host, sweep, { sweepId: 'tiny', signal: abort.signal, runs: [{ lambda: 0, seed: 0 }, { lambda: 1, seed: 0 }] });
    const next = results.runs.find((r) => r.id === 'wd1-s0')!;
    expect(next.status).toBe('pending');
    expect(next.events.map((e) => e.kind)).toEqual(['cancelled']);
    expect((await host.store.loadSweep('tiny')).results.runs.find((r) => r.id === 'wd1-s0')?.events.at(-1)?.kind).toBe('cancelled');
  });

  it('resumes without the earlier results too: checkpoints alone (the base model carries its pretraining record)', async () => {
    const where = dir();
    const abort = new AbortController();
    const first = await cpuHost(where, (e) => e.type === 'run' && e.run.status === 'measuring' && abort.abort());
    await runSweep(first, sweep, { sweepId: 'tiny', signal: abort.signal, runs: [{ lambda: 1, seed: 1 }] });
    const second = await cpuHost(where);
    const results = await runSweep(second, sweep, { sweepId: 'tiny', runs: [{ lambda: 1, seed: 1 }] });
    expect(second.events.some((e) => e.type === 'run' && e.run.status === 'pretraining')).toBe(false);
    expect(comparable(results.runs[0])).toEqual(comparable(straight.runs.find((r) => r.id === 'wd1-s1')!));
  });

  it('a stored checkpoint laid out by another build starts its phase over, saying why', async () => {
    const where = dir();
    const runs = [{ lambda: 1, seed: 1 }];
    const abort = new AbortController();
    const first = await cpuHost(where);
    const save = first.store.saveCheckpoint.bind(first.store);
    first.store.saveCheckpoint = async (sweepId, runId, phase, bytes, step) => {
      await save(sweepId, runId, phase, bytes, step);
      if (phase === 'pretrain') abort.abort();
    };
    await runSweep(first, sweep, { sweepId: 'tiny', signal: abort.signal, runs });
    const second = await cpuHost(where);
    const stored = (await second.store.loadCheckpoint('tiny', 'wd1-s1', 'pretrain'))!;
    await second.store.saveCheckpoint('tiny', 'wd1-s1', 'pretrain', otherLayout(new Uint8Array(stored.bytes)).buffer as ArrayBuffer, stored.step);
    const results = await runSweep(second, sweep, { sweepId: 'tiny', runs, resume: (await second.store.loadSweep('tiny')).results });
    expect(second.logs.find((l) => l.includes('pretrain checkpoint'))).toMatch(/^wd1-s1: the stored pretrain checkpoint cannot be read \(Checkpoint: parameter layout differs from this build's .*\); starting the phase over$/);
    expect(comparable(results.runs[0])).toEqual(comparable(straight.runs.find((r) => r.id === 'wd1-s1')!));
  });
});

/** A checkpoint as a build with other padding would write it: its layout's total one float larger (in place). */
function otherLayout(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const length = new DataView(out.buffer).getUint32(8, true);
  const header = new TextDecoder().decode(out.subarray(12, 12 + length));
  const edited = header.replace(/"layout":\{"total":(\d+)/, (_, n: string) => `"layout":{"total":${Number(n) + 1}`);
  expect(edited.length).toBe(header.length);
  out.set(new TextEncoder().encode(edited), 12);
  return out;
}

describe('failures', () => {
  it('a diverged run is marked with the reason, frees its checkpoints, and the sweep moves on', async () => {
    const where = dir();
    const host = await cpuHost(where, undefined, async (config) => {
      const engine = createCpuEngine(config);
      const step = engine.step.bind(engine);
      engine.step = async (hp: StepHyper) => (hp.weightDecay === 1 && hp.step === 3 ? NaN : step(hp));
      return engine;
    });
    const results = await runSweep(host, { ...sweep, randomInitControl: false }, { sweepId: 'tiny' });
    const bad = results.runs.find((r) => r.id === 'wd1-s0')!;
    expect(bad.status).toBe('diverged');
    expect(bad.error).toMatch(/gradient norm is NaN at step 3/);
    expect(bad.pretrain!.loss.x).toEqual([1, 2, 3, 4]); // the chunk in flight when it was caught is recorded too
    expect([bad.base, bad.finetunes]).toEqual([null, []]);
    expect(results.runs.map((r) => r.status)).toEqual(['done', 'diverged', 'done', 'diverged']);
    expect((await host.store.loadSweep('tiny')).lastCheckpoints).toEqual({});
  });

  it('refuses a sweep that does not fit the device, saying what to change, before writing anything', async () => {
    const where = dir();
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 18 }; // logits at B=64 need 2^19 bytes
    const host = await cpuHost(where, undefined, async (config) => Object.assign(createCpuEngine(config), { gpu: { adapter: { limits } } }));
    const big = { ...sweep, pretrain: { ...sweep.pretrain, batch: 64 } };
    await expect(runSweep(host, big, { sweepId: 'big' })).rejects.toThrow(/does not fit this GPU: .*lower pretrain\.batch to \d+ or less/);
    expect(host.store.sweepId).toBeUndefined();
  });

  it('checks memory against the limits a host gives before creating the engine (which compiles and allocates)', async () => {
    const memoryLimits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 18 }; // logits at B=64 need 2^19 bytes
    let engines = 0;
    const host = await cpuHost(dir(), undefined, async (config) => (engines++, createCpuEngine(config)));
    const big = { ...sweep, pretrain: { ...sweep.pretrain, batch: 64 } };
    await expect(runSweep({ ...host, memoryLimits }, big, { sweepId: 'big' })).rejects.toThrow(/does not fit this GPU: .*lower pretrain\.batch to \d+ or less/);
    expect(engines).toBe(0);
    await expect(runSweep({ ...host, memoryLimits: { ...memoryLimits, budgetBytes: 2 ** 20 } }, sweep, { sweepId: 'x' })).rejects.toThrow(/above the budget of 1\.0 MiB/);
    expect([engines, host.store.sweepId]).toEqual([0, undefined]);
  });

  it('when the fine-tuning batch is what does not fit, says to lower finetune.batch (not to choose a smaller preset)', async () => {
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 18 }; // logits at B=64 need 2^19 bytes
    const host = await cpuHost(dir(), undefined, async (config) => Object.assign(createCpuEngine(config), { gpu: { adapter: { limits } } }));
    const big = { ...sweep, finetune: { ...sweep.finetune, batch: 64 }, tasks: [{ name: 'ADD-R' as const, trainSize: 64, testSize: 8 }] };
    const error = await runSweep(host, big, { sweepId: 'big' }).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/does not fit this GPU: .*\(64x16\).*To run it here, lower finetune\.batch to \d+ or less\.$/);
    expect(error?.message).not.toMatch(/pretrain\.batch|smaller preset/);
    const cap = Number(/finetune\.batch to (\d+)/.exec(error!.message)![1]);
    expect(checkTrainingMemory(PRESETS.tiny.model, batchShapes({ ...big, finetune: { ...big.finetune, batch: cap } }), limits).fits).toBe(true);
    expect(checkTrainingMemory(PRESETS.tiny.model, batchShapes({ ...big, finetune: { ...big.finetune, batch: cap + 1 } }), limits).fits).toBe(false);
    expect(host.store.sweepId).toBeUndefined();
  });

  it('refuses runs outside the sweep, results of another sweep, and batches larger than a task', async () => {
    const host = await cpuHost(dir());
    await expect(runSweep(host, sweep, { sweepId: 'x', runs: [{ lambda: 0.5, seed: 0 }] })).rejects.toThrow(/wd0.5-s0 are not in sweep/);
    await expect(runSweep(host, sweep, { sweepId: 'x', resume: { ...straight, sweep: { ...sweep, lambdas: [0, 2] } } })).rejects.toThrow(/differs in lambdas/);
    const small = { ...sweep, tasks: [{ name: 'ADD-R' as const, trainSize: 2, testSize: 2 }] };
    await expect(runSweep(host, small, { sweepId: 'x' })).rejects.toThrow(SweepError);
    await expect(runSweep(host, small, { sweepId: 'x' })).rejects.toThrow(/tasks\.0\.trainSize/);
  });
});
