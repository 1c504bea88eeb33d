import { describe, expect, it } from 'vitest';
import { readF32 } from '../gpu/readback';
import { testGpu } from '../test/gpu';
import { freshSeed } from './check';
import { residualForward } from './residual';
import { checkResidualForward } from './residual.selftest';
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { Rng } from '../util/rng';
import { randomArray } from './check';

describe('residual_forward', () => {
  // Sizes around the workgroup (256): below, not a multiple, exact, and large enough for many groups.
  for (const N of [1, 7, 255, 256, 257, 1000, 65_537]) {
    it(`matches the reference at N=${N}`, async () => {
      const gpu = await testGpu();
      const result = await checkResidualForward(gpu, N, freshSeed());
      expect(result.ok, result.report).toBe(true);
    });
  }

  it('is bit-identical across two runs', async () => {
    const gpu = await testGpu();
    const N = 3001;
    const rng = new Rng(freshSeed());
    const a = uploadBuffer(gpu, 'a', randomArray(rng, N));
    const b = uploadBuffer(gpu, 'b', randomArray(rng, N));
    const outputs = [createBuffer(gpu, 'y1', N * 4), createBuffer(gpu, 'y2', N * 4)];
    for (const y of outputs) await runDispatches(gpu, [residualForward(gpu, y, a, b, N)]);
    const [first, second] = await Promise.all(outputs.map((y) => readF32(gpu, y, N)));
    expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer))).toBe(true);
  });
});
