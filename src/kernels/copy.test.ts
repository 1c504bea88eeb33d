import { describe, expect, it } from 'vitest';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { compareArrays, freshSeed, randomArray } from './check';
import { copyForward, copyForwardKernel } from './copy';
import { copyForward as copyForwardRef } from './copy.ref';
import { bitIdentical } from './harness';

describe('copy_forward', () => {
  // vec4 counts around the workgroup (256): below, not a multiple, and many groups.
  for (const N of [4, 28, 1020, 1024, 1028, 262_148]) {
    it(`copies exactly at N=${N}`, async () => {
      const gpu = await testGpu();
      await gpu.pipelines.prepare(copyForwardKernel);
      const seed = freshSeed();
      const x = randomArray(new Rng(seed), N);
      const bufX = uploadBuffer(gpu, 'test:x', x);
      const bufY = createBuffer(gpu, 'test:y', N * 4);
      poisonBuffer(gpu, bufY);
      await runDispatches(gpu, [copyForward(gpu, bufY, bufX, N)]);
      const want = new Float64Array(N);
      copyForwardRef(want, x, N);
      const result = compareArrays(`copy_forward N=${N} seed=${seed}`, await readF32(gpu, bufY, N), want, { atol: 0, rtol: 0 });
      expect(result.ok, result.report).toBe(true);
    });
  }

  // Two runs into fresh NaN-poisoned outputs (N not a multiple of the workgroup's 1024 floats): every element
  // written (finite) and the same bits both times.
  it('is bit-identical across two runs', async () => {
    const gpu = await testGpu();
    await gpu.pipelines.prepare(copyForwardKernel);
    const N = 3004;
    const bufX = uploadBuffer(gpu, 'test:x', randomArray(new Rng(freshSeed()), N));
    const outputs = [createBuffer(gpu, 'test:y1', N * 4), createBuffer(gpu, 'test:y2', N * 4)];
    for (const y of outputs) {
      poisonBuffer(gpu, y);
      await runDispatches(gpu, [copyForward(gpu, y, bufX, N)]);
    }
    const [first, second] = await Promise.all(outputs.map((y) => readF32(gpu, y, N)));
    expect(first.every(Number.isFinite)).toBe(true);
    expect(bitIdentical(first, second)).toBe(true);
    [bufX, ...outputs].forEach((b) => b.destroy());
  });

  it('rejects N that is not a multiple of 4', async () => {
    const gpu = await testGpu();
    const buf = createBuffer(gpu, 'test:odd', 16);
    expect(() => copyForward(gpu, buf, buf, 3)).toThrow(/multiple of 4/);
  });
});
