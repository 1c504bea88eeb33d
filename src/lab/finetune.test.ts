// Fine-tuning's checkpoint outlives the fine-tune until its result is stored (CPU engine, tiny sweep): a kill
// between the end of the fine-tune and the save of its result resumes from the last checkpoint, not from the
// start. The fine-tuning numbers themselves are covered through the runner (runner.test.ts).
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../engine/cpu';
import { initParams } from '../model/init';
import { finetuneTask, type FinetuneArgs } from './finetune';
import type { FinetuneResult } from './results';
import { createContext } from './runnerContext';
import { runSeeds } from './runnerPlan';
import { comparable, cpuHost, scratchDir, tinySweep } from './runner.testkit';
import { runModel } from './sweep';

const root = scratchDir('plasticity-finetune-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('finetuneTask: its checkpoint and the result', () => {
  it('a save that fails (a kill before the result is stored) keeps the checkpoint: the next try resumes there, saves, then frees it', async () => {
    const sweep = tinySweep(); // ADD-R: 16 examples, batch 4, one epoch: 4 steps, a checkpoint at step 2
    const host = await cpuHost(root);
    const engine = createCpuEngine(runModel(sweep));
    const ctx = createContext(host, sweep, 'tiny', engine, {});
    const spec = sweep.tasks.find((t) => t.name === 'ADD-R')!;
    const args: Omit<FinetuneArgs, 'save'> = {
      ownerId: 'control-s0', seed: 0, spec, startParams: initParams(engine.table, ctx.model, runSeeds(0).init),
      before: { metric: 'exact', value: 0 }, valBitsBefore: null,
    };
    const stored = () => host.store.loadCheckpoint('tiny', 'control-s0', 'finetune:ADD-R');

    await expect(finetuneTask(ctx, { ...args, save: () => Promise.reject(new Error('killed before the result was stored')) })).rejects.toThrow(/killed/);
    expect(await stored()).toMatchObject({ step: 2 });

    const saved: Array<{ result: FinetuneResult; checkpointStep?: number }> = [];
    const save = async (result: FinetuneResult) => void saved.push({ result, checkpointStep: (await stored())?.step });
    const result = await finetuneTask(ctx, { ...args, save });
    expect(host.logs).toContain('control-s0: finetune:ADD-R resumes from its checkpoint at step 2 of 4');
    expect(saved).toEqual([{ result, checkpointStep: 2 }]); // saved while the checkpoint was still there
    expect(result).toMatchObject({ task: 'ADD-R', status: 'done' });
    expect(result.curve.x.at(-1)).toBe(4);
    expect(await stored()).toBeUndefined(); // freed after the save

    // the same numbers as a fine-tune that was never interrupted
    const straight = await finetuneTask(ctx, { ...args, ownerId: 'control-s0-straight', save: async () => {} });
    expect(comparable(result)).toEqual(comparable(straight));
    engine.dispose();
  });
});
