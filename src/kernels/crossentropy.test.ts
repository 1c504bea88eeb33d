import { describe, expect, it } from 'vitest';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import type { Gpu } from '../gpu/adapter';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { compareArrays, freshSeed } from './check';
import { crossentropyBackward, crossentropyForward, crossentropyKernels } from './crossentropy';
import { crossentropyBackward as backwardRef, crossentropyForward as forwardRef } from './crossentropy.ref';
import { checkCrossentropy, crossentropyInputs, type CrossentropyCase } from './crossentropy.selftest';

/** The same device with a smaller workgroups-per-dimension limit, so wrappers fold their grids into y. */
function foldingGpu(gpu: Gpu, maxPerDimension: number): Gpu {
  return { ...gpu, adapter: { ...gpu.adapter, limits: { ...gpu.adapter.limits, maxComputeWorkgroupsPerDimension: maxPerDimension } } };
}

async function expectMatches(c: CrossentropyCase): Promise<void> {
  const gpu = await testGpu();
  const { forward, backward } = await checkCrossentropy(gpu, c, freshSeed());
  expect(forward.ok, forward.report).toBe(true);
  expect(backward.ok, backward.report).toBe(true);
}

describe('crossentropy_forward / crossentropy_backward', () => {
  // V around the workgroup (64): 1, below, not a multiple, the vocabulary (128), several strides per thread.
  for (const [BT, V] of [[1, 1], [3, 5], [7, 128], [5, 300], [33, 63]]) {
    it(`match the reference at BT=${BT} V=${V}`, () => expectMatches({ BT, V }));
  }

  it('are safe for logits of magnitude 1e4', () => expectMatches({ BT: 9, V: 128, scale: 1e4 }));

  it('handle rows where one logit dominates (softmax near one-hot)', async () => {
    await expectMatches({ BT: 9, V: 128, scale: 2, dominant: 60 });
    await expectMatches({ BT: 6, V: 37, scale: 1, dominant: 1e4 });
  });

  it('masked rows (weight 0) give exactly zero loss and gradient; a bad target gives NaN', async () => {
    const gpu = await testGpu();
    for (const kernel of crossentropyKernels) await gpu.pipelines.prepare(kernel);
    const [BT, V] = [3, 10];
    const { logits } = crossentropyInputs(new Rng(freshSeed()), { BT, V });
    const bufs = [
      uploadBuffer(gpu, 'logits', logits),
      uploadBuffer(gpu, 'targets', new Uint32Array([2, 7, V])),
      uploadBuffer(gpu, 'weights', new Float32Array([0.5, 0, 0.5])),
      createBuffer(gpu, 'losses', BT * 4),
      createBuffer(gpu, 'dlogits', BT * V * 4),
    ];
    const [bl, bt, bw, losses, dlogits] = bufs;
    // Outputs poisoned with NaN, so an unwritten loss or gradient fails; the bad-target row (expected NaN) starts
    // finite instead, so it passes only if the kernels write their NaN there.
    poisonBuffer(gpu, losses);
    poisonBuffer(gpu, dlogits);
    gpu.device.queue.writeBuffer(losses, 2 * 4, new Float32Array([1]));
    gpu.device.queue.writeBuffer(dlogits, 2 * V * 4, new Float32Array(V).fill(1));
    await runDispatches(gpu, [crossentropyForward(gpu, losses, bl, bt, bw, BT, V), crossentropyBackward(gpu, dlogits, bl, bt, bw, BT, V)]);
    const [l, d] = await Promise.all([readF32(gpu, losses, BT), readF32(gpu, dlogits, BT * V)]);
    expect(l[0]).toBeGreaterThan(0);
    expect(Array.from(d.subarray(0, V)).every(Number.isFinite)).toBe(true);
    expect(l[1]).toBe(0);
    expect(Array.from(d.subarray(V, 2 * V)).every((x) => x === 0)).toBe(true);
    expect(l[2]).toBeNaN();
    expect(Array.from(d.subarray(2 * V)).every(Number.isNaN)).toBe(true);
    bufs.forEach((b) => b.destroy());
  });

  it('match the reference on a grid folded into y (a device limit of 7 workgroups per dimension)', async () => {
    const gpu = foldingGpu(await testGpu(), 7);
    const { forward, backward } = await checkCrossentropy(gpu, { BT: 45, V: 9 }, freshSeed()); // 7 x 7 groups, 4 idle
    expect(forward.ok, forward.report).toBe(true);
    expect(backward.ok, backward.report).toBe(true);
  });

  it('are bit-identical across two runs', async () => {
    const gpu = await testGpu();
    for (const kernel of crossentropyKernels) await gpu.pipelines.prepare(kernel);
    const [BT, V] = [17, 130];
    const { logits, targets, weights } = crossentropyInputs(new Rng(freshSeed()), { BT, V, scale: 8 });
    const inputs = [uploadBuffer(gpu, 'logits', logits), uploadBuffer(gpu, 'targets', targets), uploadBuffer(gpu, 'weights', weights)];
    const runs: Float32Array[][] = [];
    for (let r = 0; r < 2; r++) {
      const losses = createBuffer(gpu, 'losses', BT * 4);
      const dlogits = createBuffer(gpu, 'dlogits', BT * V * 4);
      await runDispatches(gpu, [
        crossentropyForward(gpu, losses, inputs[0], inputs[1], inputs[2], BT, V),
        crossentropyBackward(gpu, dlogits, inputs[0], inputs[1], inputs[2], BT, V),
      ]);
      runs.push([await readF32(gpu, losses, BT), await readF32(gpu, dlogits, BT * V)]);
    }
    const bits = (a: Float32Array) => Buffer.from(a.buffer);
    expect(bits(runs[0][0]).equals(bits(runs[1][0]))).toBe(true);
    expect(bits(runs[0][1]).equals(bits(runs[1][1]))).toBe(true);
  });
});

describe('crossentropy reference', () => {
  it('backward is the gradient of the summed forward (central differences, float64)', () => {
    const [BT, V] = [4, 7];
    const rng = new Rng(freshSeed());
    const { logits, targets, weights } = crossentropyInputs(rng, { BT, V, scale: 3, masked: 0.3 });
    const x = Float64Array.from(logits);
    const losses = new Float64Array(BT);
    const total = (v: Float64Array) => (forwardRef(losses, v, targets, weights, BT, V), losses.reduce((a, b) => a + b, 0));
    const numeric = new Float64Array(BT * V);
    const h = 1e-5;
    for (let k = 0; k < BT * V; k++) {
      const saved = x[k];
      x[k] = saved + h;
      const up = total(x);
      x[k] = saved - h;
      const down = total(x);
      x[k] = saved;
      numeric[k] = (up - down) / (2 * h);
    }
    const analytic = new Float64Array(BT * V);
    backwardRef(analytic, x, targets, weights, BT, V);
    const result = compareArrays('crossentropy_backward vs finite differences', analytic, numeric, { atol: 1e-8, rtol: 1e-6 });
    expect(result.ok, result.report).toBe(true);
  });

  it('forward stays finite for logits of magnitude 1e4 and rejects out-of-range targets', () => {
    const losses = new Float64Array(1);
    forwardRef(losses, [1e4, -1e4, 9990], [2], [1], 1, 3);
    expect(losses[0]).toBeCloseTo(10 + Math.log(1 + Math.exp(-10)), 12);
    expect(() => forwardRef(losses, [0, 1], [2], [1], 1, 2)).toThrow(RangeError);
  });
});
