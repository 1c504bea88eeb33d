import { describe, expect, it } from 'vitest';
import { uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import type { Gpu } from '../gpu/adapter';
import { testGpu } from '../test/gpu';
import { freshSeed } from './check';
import { adamwKernels, adamwStep, packDecayTable, readAdamwState, writeAdamwHyper, writeAdamwSchedule } from './adamw';
import { decayMask } from './adamw.ref';
import { checkAdamw, scheduleFor, tensorTable, type AdamwCase } from './adamw.selftest';
import { bitIdentical } from './harness';

// N = 3001 (not a multiple of 256), with a zero-length tensor and tensors smaller than a workgroup.
const MIXED = tensorTable([700, 64, 1200, 0, 5, 900, 132]);
const ALL = [{ offset: 0, length: 3001, decay: true }];

/** The same device with a smaller workgroups-per-dimension limit, so wrappers fold their grids into y. */
function foldingGpu(gpu: Gpu, maxPerDimension: number): Gpu {
  return { ...gpu, adapter: { ...gpu.adapter, limits: { ...gpu.adapter.limits, maxComputeWorkgroupsPerDimension: maxPerDimension } } };
}

async function run(c: AdamwCase) {
  const gpu = await testGpu();
  const result = await checkAdamw(gpu, c, freshSeed());
  expect(result.comparison.ok, result.comparison.report).toBe(true);
  return result;
}

describe('adamw_prepare + adamw_step', () => {
  for (const oneSubmit of [false, true]) {
    const how = oneSubmit ? 'in one submit' : 'one submit per step';
    it(`match the reference over 4 steps with decay on, both decay groups, ${how}`, async () => {
      const { clip } = await run({ table: MIXED, steps: 4, weightDecay: 0.1, gradScale: 0.01, oneSubmit });
      expect(clip).toBe(1); // small gradients: no clipping
    });
  }

  it('match the reference with decay off, and with every tensor decayed', async () => {
    await run({ table: MIXED, steps: 3, weightDecay: 0, gradScale: 0.01, oneSubmit: true });
    await run({ table: ALL, steps: 3, weightDecay: 0.5, gradScale: 0.01 });
  });

  it('clip large gradients to maxNorm', async () => {
    const { clip, refClip } = await run({ table: MIXED, steps: 3, weightDecay: 0.1, gradScale: 5, oneSubmit: true });
    expect(refClip).toBeLessThan(0.05);
    expect(Math.abs(clip - refClip)).toBeLessThanOrEqual(1e-5 * refClip);
    await run({ table: ALL, steps: 2, weightDecay: 0.1, gradScale: 1, maxNorm: 0.5 });
  });

  it('match the reference on a grid folded into y (a device limit of 7 workgroups per dimension)', async () => {
    const gpu = foldingGpu(await testGpu(), 7); // 3001 floats: 12 groups of 256 as 6 x 2
    const result = await checkAdamw(gpu, { table: MIXED, steps: 2, weightDecay: 0.1, gradScale: 0.01 }, freshSeed());
    expect(result.comparison.ok, result.comparison.report).toBe(true);
  });

  // Same seed twice (gradients large enough to clip): params, m and v agree bit for bit, and so does the
  // optimizer state (cursor, count, clip, t, lr).
  it('are bit-identical across two runs', async () => {
    const gpu = await testGpu();
    const c: AdamwCase = { table: MIXED, steps: 3, weightDecay: 0.1, gradScale: 2, oneSubmit: true };
    const seed = freshSeed();
    const [a, b] = [await checkAdamw(gpu, c, seed), await checkAdamw(gpu, c, seed)];
    for (const key of ['params', 'm', 'v'] as const) expect(bitIdentical(a[key], b[key]), `${key} seed=${seed}`).toBe(true);
    expect(a.state.clip).toBeLessThan(1); // the clip path ran
    expect(a.state).toMatchObject({ cursor: c.steps, count: c.steps, t: c.steps });
    expect(b.state).toEqual(a.state); // clip is an f32 read back exactly: equal numbers, equal bits
  });

  it('poison the step with NaN when the cursor runs past the schedule, and recover after a new upload', async () => {
    const gpu = await testGpu();
    for (const kernel of adamwKernels) await gpu.pipelines.prepare(kernel);
    const N = 10;
    const table = [{ offset: 0, length: N, decay: true }];
    const bufs = [new Float32Array(N).fill(1), new Float32Array(N), new Float32Array(N), new Float32Array(N).fill(0.1), new Float32Array([0.5])];
    const [params, m, v, grads, gradNorm] = bufs.map((x, k) => uploadBuffer(gpu, `b${k}`, x));
    const opt = adamwStep(gpu, params, m, v, grads, gradNorm, table, N, { capacity: 4 });
    const [hp] = scheduleFor({ table, steps: 1, weightDecay: 0.1, gradScale: 1 });
    writeAdamwHyper(gpu, opt, hp);
    await runDispatches(gpu, opt.dispatches);
    expect(await readAdamwState(gpu, opt)).toMatchObject({ cursor: 1, count: 1, t: 1, clip: 1 });
    expect((await readF32(gpu, params, N)).every(Number.isFinite)).toBe(true);
    await runDispatches(gpu, opt.dispatches); // a second step without a new record
    expect((await readAdamwState(gpu, opt)).clip).toBeNaN();
    expect((await readF32(gpu, params, N)).every(Number.isNaN)).toBe(true);
    writeAdamwSchedule(gpu, opt, [hp, { ...hp, step: 2 }]);
    await runDispatches(gpu, [...opt.dispatches, ...opt.dispatches]);
    expect(await readAdamwState(gpu, opt)).toMatchObject({ cursor: 2, count: 2, t: 2 });
    expect(() => writeAdamwSchedule(gpu, opt, Array(5).fill(hp))).toThrow(/capacity 4/);
    opt.release();
    [params, m, v, grads, gradNorm].forEach((b) => b.destroy());
  });
});

describe('adamw tensor table', () => {
  it('packs decay flips, not per-element flags', () => {
    expect(Array.from(packDecayTable(ALL, 3001))).toEqual([1, 0]);
    expect(Array.from(packDecayTable(MIXED, 3001))).toEqual([1, 4, 700, 764, 1969, 2869]);
    // Zero-length tensors and equal neighbours add no flips.
    const merged = [
      { offset: 0, length: 4, decay: false },
      { offset: 4, length: 0, decay: true },
      { offset: 4, length: 6, decay: false },
      { offset: 10, length: 2, decay: true },
    ];
    expect(Array.from(packDecayTable(merged, 12))).toEqual([0, 1, 10]);
    expect(decayMask(merged, 12).map(Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('rejects tables that are not contiguous or do not cover the buffer', () => {
    expect(() => packDecayTable([{ offset: 0, length: 5, decay: true }], 6)).toThrow(/covers 5/);
    expect(() => packDecayTable([{ offset: 0, length: 2, decay: true }, { offset: 3, length: 3, decay: true }], 6)).toThrow(/starts at 3/);
  });
});
