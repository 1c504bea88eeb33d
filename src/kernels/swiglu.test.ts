import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed, randomArray } from './check';
import { bitIdentical, dot, finiteDifferenceError, toF64 } from './harness';
import { swigluBackward, swigluForward } from './swiglu.ref';
import { checkSwiglu, runSwigluGpu, swigluInputs } from './swiglu.selftest';

// BT*F below, around and not a multiple of the 256-thread workgroup; F = 172 is the lab preset's width.
const CASES: [number, number][] = [
  [1, 1],
  [7, 3],
  [33, 65],
  [130, 172],
  [3, 700],
];

describe('swiglu_forward + swiglu_backward', () => {
  for (const [BT, F] of CASES) {
    it(`matches the reference at BT=${BT} F=${F}`, async () => {
      const result = await checkSwiglu(await testGpu(), BT, F, freshSeed());
      expect(result.ok, result.report).toBe(true);
    });
  }

  it('stays finite and correct for saturated gates (exp overflow)', async () => {
    const gates = [-1000, -100, -30, -1e-3, 0, 1e-3, 30, 100, 1000];
    const F = gates.length;
    const gu = Float32Array.from([...gates, ...gates.map((_, j) => 0.5 - j / F)]);
    const dh = Float32Array.from(gates, (_, j) => 1 - j / F);
    const result = await checkSwiglu(await testGpu(), 1, F, 0, { gu, dh });
    expect(result.ok, result.report).toBe(true);
  });

  it('is bit-identical across two runs', async () => {
    const gpu = await testGpu();
    const inp = swigluInputs(freshSeed(), 17, 61);
    const [a, b] = [await runSwigluGpu(gpu, 17, 61, inp), await runSwigluGpu(gpu, 17, 61, inp)];
    expect(bitIdentical(a.h, b.h)).toBe(true);
    expect(bitIdentical(a.dgu, b.dgu)).toBe(true);
  });
});

describe('swiglu.ref backward', () => {
  it('dgu matches finite differences of sum(h * r)', () => {
    const [BT, F] = [3, 4];
    const gu = toF64(swigluInputs(freshSeed(), BT, F).gu);
    const r = toF64(randomArray(new Rng(5), BT * F));
    const loss = () => {
      const h = new Float64Array(BT * F);
      swigluForward(h, gu, BT, F);
      return dot(h, r);
    };
    const dgu = new Float64Array(BT * 2 * F);
    swigluBackward(dgu, r, gu, BT, F);
    // h = 1e-5: truncation ~h^2 |f'''| ~1e-10, rounding ~1e-11.
    const { maxAbs } = finiteDifferenceError(loss, gu, dgu, Array.from({ length: BT * 2 * F }, (_, i) => i));
    expect(maxAbs).toBeLessThan(1e-8);
  });
});
