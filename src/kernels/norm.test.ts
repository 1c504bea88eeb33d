import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed, randomArray } from './check';
import { bitIdentical, dot, finiteDifferenceError, toF64 } from './harness';
import { normBackward, normForward } from './norm.ref';
import { checkNorm, normInputs, runNormGpu, type NormCase } from './norm.selftest';

// Lanes per row = next power of two >= C / 8 (each thread holds <= 8 columns in registers), 256 / lanes rows
// per workgroup. C = 1, 3 (one lane, 256 rows per workgroup), 64 (8 lanes), 65 (16 lanes, columns past C
// idle): the one-level group sum; 200 (32 lanes), 600 and 768 (128 lanes): the two-level one; 2051 (256 lanes,
// past 8 * 256 columns): the re-read tail. BT is not a multiple of the rows per workgroup. rowsPerSlot: 3
// leaves row groups idle (and takes 2 turns of 2 rows at C = 768), 70 at C = 64 takes 3 turns of 32 row
// groups (the last slot short), 1 at C = 5 gives 300 slots, more than one batch of norm_backward_dgain's
// loads; the others use the default layout.
const CASES: Omit<NormCase, 'centered'>[] = [
  { BT: 1, C: 1 },
  { BT: 7, C: 3 },
  { BT: 33, C: 64 },
  { BT: 150, C: 64, rowsPerSlot: 70 },
  { BT: 130, C: 65, rowsPerSlot: 3 },
  { BT: 300, C: 5, rowsPerSlot: 1 },
  { BT: 9, C: 200, rowsPerSlot: 4 },
  { BT: 3, C: 600 },
  { BT: 5, C: 768, rowsPerSlot: 3 },
  { BT: 3, C: 2051 },
];

describe('norm_forward + norm_backward', () => {
  for (const centered of [false, true]) {
    for (const c of CASES) {
      it(`${centered ? 'LayerNorm' : 'RMSNorm'} matches the reference at BT=${c.BT} C=${c.C}`, async () => {
        const result = await checkNorm(await testGpu(), { ...c, centered }, freshSeed());
        expect(result.ok, result.report).toBe(true);
      });
    }
  }

  // One-level group sums at C = 65; two-level ones and 301 slots (2 batches of dgain loads) at C = 600.
  const determinismCases: NormCase[] = [
    { BT: 70, C: 65, centered: true, rowsPerSlot: 2 },
    { BT: 301, C: 600, centered: true, rowsPerSlot: 1 },
  ];
  for (const k of determinismCases) {
    it(`is bit-identical across two runs at BT=${k.BT} C=${k.C}`, async () => {
      const gpu = await testGpu();
      const inp = normInputs(freshSeed(), k.BT, k.C);
      const [a, b] = [await runNormGpu(gpu, k, inp), await runNormGpu(gpu, k, inp)];
      for (const key of ['y', 'mean', 'rstd', 'dx', 'dgain'] as const) expect(bitIdentical(a[key], b[key]), key).toBe(true);
    });
  }
});

describe('norm.ref backward', () => {
  // Gradient of L = sum(y * r) for random r, by central differences in float64 (h = 1e-5: truncation error
  // ~h^2 * |f'''| ~1e-10, rounding ~1e-16 / h ~1e-11), so agreement to 1e-7 relative is evidence.
  for (const centered of [false, true]) {
    it(`${centered ? 'LayerNorm' : 'RMSNorm'} dx and dgain match finite differences`, () => {
      const BT = 3;
      const C = 5;
      const inp = normInputs(freshSeed(), BT, C);
      const x = toF64(inp.x);
      const gain = toF64(inp.gain);
      const r = toF64(randomArray(new Rng(7), BT * C));
      const loss = () => {
        const y = new Float64Array(BT * C);
        normForward(y, new Float64Array(BT), new Float64Array(BT), x, gain, BT, C, centered, 1e-5);
        return dot(y, r);
      };
      const y = new Float64Array(BT * C);
      const mean = new Float64Array(BT);
      const rstd = new Float64Array(BT);
      normForward(y, mean, rstd, x, gain, BT, C, centered, 1e-5);
      const dx = new Float64Array(BT * C);
      const dgain = new Float64Array(C);
      normBackward(dx, dgain, r, x, gain, mean, rstd, BT, C, centered);
      const all = (n: number) => Array.from({ length: n }, (_, i) => i);
      expect(finiteDifferenceError(loss, x, dx, all(BT * C)).maxRel).toBeLessThan(1e-6);
      expect(finiteDifferenceError(loss, gain, dgain, all(C)).maxRel).toBeLessThan(1e-6);
    });
  }

  it('RMSNorm writes mean = 0', () => {
    const mean = new Float64Array(2).fill(9);
    normForward(new Float64Array(6), mean, new Float64Array(2), [1, 2, 3, 4, 5, 6], [1, 1, 1], 2, 3, false, 1e-5);
    expect([...mean]).toEqual([0, 0]);
  });
});
