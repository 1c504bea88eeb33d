import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed, randomArray } from './check';
import { embeddingBackward, embeddingForward } from './embedding.ref';
import {
  checkEmbedding, embeddingInputs, runEmbeddingGpu, type EmbeddingCase,
} from './embedding.selftest';
import { bitIdentical, dot, finiteDifferenceError, toF64 } from './harness';

// BT*C and C around and not multiples of the 256-thread workgroup; C = 600 spans 3 channel chunks. BT <= 512
// is one backward segment (one dispatch, straight into dwte); BT = 513 and 2500 span 2 and 5 segments (the last
// partial) with ids repeating across segments (V = 17; ~150 hits per row exercise the 8-wide unrolled sum);
// V = 128 leaves some rows without tokens. The backward takes ids in groups of 4 (v = g + j * ceil(V / 4)): V not a
// multiple of 4 leaves lanes unused; V = 301 gives 76 groups, with 3 segments and 2 channel chunks. BT = 4700 has
// 10 segments: the segment sum takes a batch of eight loads and a tail.
const CASES: EmbeddingCase[] = [
  { BT: 1, V: 128, C: 1 },
  { BT: 7, V: 5, C: 3 },
  { BT: 33, V: 128, C: 64 },
  { BT: 130, V: 7, C: 65 },
  { BT: 512, V: 3, C: 5 },
  { BT: 513, V: 3, C: 5 },
  { BT: 2500, V: 17, C: 3 },
  { BT: 9, V: 3, C: 600 },
  { BT: 1100, V: 301, C: 300 },
  { BT: 4700, V: 5, C: 3 },
];

describe('embedding_forward + embedding_backward', () => {
  for (const c of CASES) {
    it(`matches the reference at BT=${c.BT} V=${c.V} C=${c.C}`, async () => {
      const result = await checkEmbedding(await testGpu(), c, freshSeed());
      expect(result.ok, result.report).toBe(true);
    });
  }

  it('is bit-identical across two runs', async () => {
    const gpu = await testGpu();
    const k: EmbeddingCase = { BT: 700, V: 4, C: 5 }; // two segments
    const inp = embeddingInputs(freshSeed(), k);
    const [a, b] = [await runEmbeddingGpu(gpu, k, inp), await runEmbeddingGpu(gpu, k, inp)];
    expect(bitIdentical(a.x, b.x)).toBe(true);
    expect(bitIdentical(a.dwte, b.dwte)).toBe(true);
  });

  it('forward writes NaN for a token outside the table; backward ignores it', async () => {
    const gpu = await testGpu();
    const k: EmbeddingCase = { BT: 3, V: 2, C: 2 };
    const inp = { tokens: Uint32Array.from([1, 2, 0]), wte: Float32Array.from([1, 2, 3, 4]), dx: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const got = await runEmbeddingGpu(gpu, k, inp, 7); // not NaN before: the kernel writes the NaN row
    expect([...got.x]).toEqual([3, 4, NaN, NaN, 1, 2]);
    expect([...got.dwte]).toEqual([5, 6, 1, 2]);
    expect(() => embeddingForward(new Float64Array(6), inp.tokens, inp.wte, 3, 2)).toThrow(/token 2 at 1/);
  });
});

describe('embedding.ref backward', () => {
  it('dwte matches finite differences of sum(x * r)', () => {
    const k: EmbeddingCase = { BT: 9, V: 4, C: 3 };
    const inp = embeddingInputs(freshSeed(), k);
    const wte = toF64(inp.wte);
    const r = toF64(randomArray(new Rng(3), k.BT * k.C));
    const loss = () => {
      const x = new Float64Array(k.BT * k.C);
      embeddingForward(x, inp.tokens, wte, k.BT, k.C);
      return dot(x, r);
    };
    const dwte = new Float64Array(k.V * k.C);
    embeddingBackward(dwte, r, inp.tokens, k.BT, k.V, k.C);
    // Linear in wte: central differences are exact up to rounding.
    const { maxAbs } = finiteDifferenceError(loss, wte, dwte, Array.from({ length: k.V * k.C }, (_, i) => i));
    expect(maxAbs).toBeLessThan(1e-8);
  });
});
