import { describe, expect, it } from 'vitest';
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import type { Gpu } from '../gpu/adapter';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed } from './check';
import { REDUCE_BLOCK, REDUCE_MAX_PARTIALS, REDUCE_MIN_CHUNK, REDUCE_WG, reduceKernels, reduceNorm, reducePlan, reduceSum } from './reduce';
import { checkReduce, reduceInputs, type ReduceCase } from './reduce.selftest';

/** The same device with a smaller workgroups-per-dimension limit, so wrappers fold their grids into y. */
function foldingGpu(gpu: Gpu, maxPerDimension: number): Gpu {
  return { ...gpu, adapter: { ...gpu.adapter, limits: { ...gpu.adapter.limits, maxComputeWorkgroupsPerDimension: maxPerDimension } } };
}

async function expectMatches(c: ReduceCase): Promise<void> {
  const gpu = await testGpu();
  const result = await checkReduce(gpu, c, freshSeed());
  expect(result.ok, result.report).toBe(true);
}

describe('reduce_sum / reduce_norm', () => {
  // Around the workgroup (256) and the minimum chunk (one block of 8 x 256): one partial, ragged blocks (at 1893,
  // 7 of a thread's 8 loads in range for some threads, 6 for the others), several partials.
  for (const N of [1, 7, 255, 257, 1_893, 2048, 2049, 70_001]) {
    it(`match float64 at N=${N}`, async () => {
      await expectMatches({ op: 'sum', N });
      await expectMatches({ op: 'sum', N, offset: 3 }); // same-sign values: the sum grows with N
      await expectMatches({ op: 'norm', N, scale: 2 });
    });
  }

  it('match float64 with more partials than threads in pass 2 (small chunks)', async () => {
    const N = 300 * REDUCE_WG + 17; // 301 partials of one workgroup's width each
    await expectMatches({ op: 'sum', N, chunk: REDUCE_WG, offset: 0.5 });
    await expectMatches({ op: 'norm', N, chunk: REDUCE_WG, scale: 1e3 });
  });

  it('match float64 with several whole blocks and a ragged one per chunk', async () => {
    const chunk = 3 * REDUCE_BLOCK + 7 * REDUCE_WG; // 3 whole blocks, then one where loads 0-6 of 8 are in the chunk
    const N = 4 * chunk + 1001; // and a last chunk of 1001 elements
    await expectMatches({ op: 'sum', N, chunk, offset: 0.5 });
    await expectMatches({ op: 'norm', N, chunk, scale: 3 });
  });

  it('match float64 with more partials than one pass-2 block (a whole block, then a ragged one)', async () => {
    const N = (REDUCE_BLOCK + 299) * REDUCE_WG + 100; // 2348 partials
    await expectMatches({ op: 'sum', N, chunk: REDUCE_WG, offset: -0.25 });
    await expectMatches({ op: 'norm', N, chunk: REDUCE_WG });
  });

  it('match float64 on a pass-1 grid folded into y (a device limit of 7 workgroups per dimension)', async () => {
    const gpu = foldingGpu(await testGpu(), 7);
    for (const op of ['sum', 'norm'] as const) {
      const result = await checkReduce(gpu, { op, N: 40 * REDUCE_WG + 3, chunk: REDUCE_WG, offset: 0.5 }, freshSeed()); // 41 partials: 6 x 7 groups
      expect(result.ok, result.report).toBe(true);
    }
  });

  it('plans a bounded number of partials and whole-block chunks', () => {
    expect(reducePlan(1)).toEqual({ N: 1, chunk: REDUCE_MIN_CHUNK, P: 1 });
    expect(reducePlan(85_000_000)).toEqual({ N: 85_000_000, chunk: 11 * REDUCE_BLOCK, P: 3774 });
    for (const N of [120_000, 1_500_000, 85_000_000]) {
      const { chunk, P } = reducePlan(N);
      expect(P).toBeLessThanOrEqual(REDUCE_MAX_PARTIALS);
      expect(chunk % REDUCE_BLOCK).toBe(0);
      expect(P * chunk).toBeGreaterThanOrEqual(N);
      expect((P - 1) * chunk).toBeLessThan(N);
    }
    expect(() => reducePlan(0)).toThrow(RangeError);
    expect(() => reducePlan(10, 100)).toThrow(RangeError);
  });

  it('write to out[outIndex] and leave the other elements alone', async () => {
    const gpu = await testGpu();
    for (const kernel of reduceKernels) await gpu.pipelines.prepare(kernel);
    const x = uploadBuffer(gpu, 'x', new Float32Array([1, 2, 3, 4]));
    const out = uploadBuffer(gpu, 'out', new Float32Array([-1, -1, -1]));
    const sum = reduceSum(gpu, out, x, 4, { outIndex: 2 });
    const norm = reduceNorm(gpu, out, x, 4, { outIndex: 0 });
    await runDispatches(gpu, [...sum.dispatches, ...norm.dispatches]);
    expect(Array.from(await readF32(gpu, out, 3))).toEqual([Math.fround(Math.sqrt(30)), -1, 10]);
    sum.release();
    norm.release();
    expect(() => reduceSum(gpu, out, x, 4, { outIndex: 3 })).toThrow(/no element 3/);
  });

  it('are bit-identical across two runs', async () => {
    const gpu = await testGpu();
    for (const kernel of reduceKernels) await gpu.pipelines.prepare(kernel);
    const N = 40_003;
    const x = uploadBuffer(gpu, 'x', reduceInputs(new Rng(freshSeed()), { op: 'sum', N, offset: 0.1 }));
    const runs: Float32Array[] = [];
    for (let r = 0; r < 2; r++) {
      const out = createBuffer(gpu, 'out', 8);
      const sum = reduceSum(gpu, out, x, N, { outIndex: 0 });
      const norm = reduceNorm(gpu, out, x, N, { outIndex: 1 });
      await runDispatches(gpu, [...sum.dispatches, ...norm.dispatches]);
      runs.push(await readF32(gpu, out, 2));
    }
    expect(Buffer.from(runs[0].buffer).equals(Buffer.from(runs[1].buffer))).toBe(true);
  });
});
