import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed, randomArray } from './check';
import { bitIdentical, dot, finiteDifferenceError, toF64 } from './harness';
import { ropeBackward, ropeForward } from './rope.ref';
import { checkRope, ropeInputs, runRopeGpu, type RopeCase } from './rope.selftest';

// Element pairs B*T*3*NH*HS/2 around and not a multiple of the 256-thread workgroup; HS = 2 (one pair),
// odd NH, T = 130 (angles past 2*pi: the table, not GPU sin/cos), and a non-default theta.
const CASES: RopeCase[] = [
  { B: 1, T: 1, NH: 1, HS: 2 },
  { B: 2, T: 7, NH: 3, HS: 4 },
  { B: 1, T: 33, NH: 2, HS: 16 },
  { B: 2, T: 130, NH: 1, HS: 6, theta: 500 },
  { B: 1, T: 9, NH: 4, HS: 64 },
];

describe('rope_forward + rope_backward', () => {
  for (const c of CASES) {
    it(`matches the reference at B=${c.B} T=${c.T} NH=${c.NH} HS=${c.HS} theta=${c.theta ?? 10000}`, async () => {
      const result = await checkRope(await testGpu(), c, freshSeed());
      expect(result.ok, result.report).toBe(true);
    });
  }

  it('is bit-identical across two runs', async () => {
    const gpu = await testGpu();
    const k: RopeCase = { B: 2, T: 33, NH: 3, HS: 8 };
    const inp = ropeInputs(freshSeed(), k);
    const [a, b] = [await runRopeGpu(gpu, k, inp), await runRopeGpu(gpu, k, inp)];
    expect(bitIdentical(a.qkvr, b.qkvr)).toBe(true);
    expect(bitIdentical(a.dqkv, b.dqkv)).toBe(true);
  });
});

describe('rope.ref backward', () => {
  it('dqkv matches finite differences of sum(qkvr * r)', () => {
    const [B, T, NH, HS] = [2, 5, 2, 6];
    const N = B * T * 3 * NH * HS;
    const qkv = toF64(randomArray(new Rng(freshSeed()), N));
    const r = toF64(randomArray(new Rng(11), N));
    const loss = () => {
      const y = new Float64Array(N);
      ropeForward(y, qkv, B, T, NH, HS);
      return dot(y, r);
    };
    const dqkv = new Float64Array(N);
    ropeBackward(dqkv, r, B, T, NH, HS);
    // Linear in qkv, so central differences are exact up to rounding (~1e-16 / h).
    const { maxAbs } = finiteDifferenceError(loss, qkv, dqkv, Array.from({ length: N }, (_, i) => i));
    expect(maxAbs).toBeLessThan(1e-8);
  });

  it('rotates q and k at t = 0 by nothing and copies v', () => {
    const qkv = Array.from({ length: 3 * 4 }, (_, i) => i + 1);
    const out = new Float64Array(12);
    ropeForward(out, qkv, 1, 1, 1, 4);
    expect([...out]).toEqual(qkv);
  });
});
