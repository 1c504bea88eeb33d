// The memory estimate's arithmetic and its fit check (no GPU: gpu.test.ts compares it with bytesInUse).
import { describe, expect, it } from 'vitest';
import { activationFloats } from '../engine/activations';
import { PRESETS } from '../model/config';
import { paramTable } from '../model/params';
import { assertTrainingMemoryFits, checkTrainingMemory, estimateTrainingMemory, maxFittingBatchOf, MemoryFitError } from './memory';

const lab = PRESETS.lab;
const labShape = { B: lab.train.B, T: lab.model.T };
const MiB = 2 ** 20;
const roomy = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB };

describe('training memory estimate', () => {
  it('counts 4 parameter-sized buffers, the activations of each distinct shape, and workspace', () => {
    const e = estimateTrainingMemory(lab.model, [labShape, labShape]);
    const P = paramTable(lab.model).total * 4;
    expect([e.parameters, e.gradients, e.moments]).toEqual([P, P, 2 * P]);
    expect(e.activations).toBe(4 * activationFloats(labShape.B, labShape.T, lab.model));
    expect(e.shapes).toEqual([labShape]); // the duplicate shape shares the engine's plan
    expect(e.total).toBe(e.parameters + e.gradients + e.moments + e.activations + e.workspace);
    const withEval = estimateTrainingMemory(lab.model, [labShape, { B: 64, T: 128 }]);
    expect(withEval.activations).toBe(e.activations + 4 * activationFloats(64, 128, lab.model));
    console.log(`lab preset, B=32 T=128: ${(e.total / MiB).toFixed(1)} MiB, largest buffer ${e.largestBuffer.name} ${(e.largestBuffer.bytes / MiB).toFixed(1)} MiB`);
  });

  it('every preset fits the WebGPU default limits at its batch size', () => {
    const defaults = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB };
    for (const p of Object.values(PRESETS)) expect(checkTrainingMemory(p.model, [{ B: p.train.B, T: p.model.T }], defaults).problems).toEqual([]);
  });

  it('names the buffer over a limit and the largest batch that fits', () => {
    const small = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 2 * MiB };
    const check = checkTrainingMemory(lab.model, [labShape], small);
    expect(check.fits).toBe(false);
    expect(check.problems[0]).toMatch(/buffer l0\.gu\(32x128\) needs 5\.4 MiB, above maxStorageBufferBindingSize 2\.0 MiB/);
    expect(check.maxFittingBatch).toBeGreaterThan(0);
    expect(check.maxFittingBatch).toBeLessThan(32);
    expect(checkTrainingMemory(lab.model, [{ ...labShape, B: check.maxFittingBatch }], small).fits).toBe(true);
    expect(checkTrainingMemory(lab.model, [{ ...labShape, B: check.maxFittingBatch + 1 }], small).fits).toBe(false);
    expect(() => assertTrainingMemoryFits(lab.model, [labShape], small)).toThrow(new RegExp(`Use a smaller batch \\(B <= ${check.maxFittingBatch} fits at T=128\\) or a smaller preset`));
  });

  it('checks an optional total budget, and says when no batch size can fit', () => {
    const e = estimateTrainingMemory(lab.model, [labShape]);
    expect(checkTrainingMemory(lab.model, [labShape], { ...roomy, budgetBytes: e.total }).fits).toBe(true);
    const over = checkTrainingMemory(lab.model, [labShape], { ...roomy, budgetBytes: e.total - 1 });
    expect(over.problems).toEqual([expect.stringMatching(new RegExp(`^the run needs ${(e.total / 2 ** 20).toFixed(1)} MiB in all, above the budget`))]);
    const tooSmall = { ...roomy, budgetBytes: e.parameters };
    expect(() => assertTrainingMemoryFits(lab.model, [labShape], tooSmall)).toThrow(MemoryFitError);
    expect(() => assertTrainingMemoryFits(lab.model, [labShape], tooSmall)).toThrow(/No training batch size fits/);
  });

  it('finds the largest batch that fits when another batch shape (fine-tuning) is the one over', () => {
    const small = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 2 * MiB };
    const shapes = [{ B: 4, T: 128 }, { B: 64, T: 128 }]; // pretraining fits, fine-tuning does not
    expect(checkTrainingMemory(lab.model, shapes, small).maxFittingBatch).toBe(0); // lowering the training batch alone cannot help
    const cap = maxFittingBatchOf(lab.model, shapes, small, [0, 1]);
    expect(cap).toBeGreaterThanOrEqual(4);
    expect(cap).toBeLessThan(64);
    expect(checkTrainingMemory(lab.model, [shapes[0], { B: cap, T: 128 }], small).fits).toBe(true);
    expect(checkTrainingMemory(lab.model, [shapes[0], { B: cap + 1, T: 128 }], small).fits).toBe(false);
    expect(maxFittingBatchOf(lab.model, shapes, roomy, [0, 1])).toBe(64); // shapes that fit: the largest of them
  });
});
