// attention_forward (flash and plain) and attention_backward against the float64 reference, at shapes that are
// not multiples of the tiles (T=1, 7, 33, 65, 20 against tiles of 4..32 rows), head sizes 8..128, with outputs
// poisoned with NaN; plus large scores (running-max safety), run-to-run bit identity, tile budgets, and a
// finite-difference check of the backward reference itself. Tolerances: attention.selftest.ts (attentionTolerance).
import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { ATTENTION_MAX_HS, ATTENTION_TILE_SHAPE, attentionTiles, attentionTilesFor } from './attention';
import { attentionBackward as attentionBackwardRef, attentionForward as attentionForwardRef } from './attention.ref';
import {
  attentionRunsIdentical,
  checkAttentionBackward,
  checkAttentionForward,
  randomQkvr,
  type AttentionShape,
} from './attention.selftest';
import { freshSeed, randomArray } from './check';
import { dot, finiteDifferenceError } from './harness';

const SHAPES: AttentionShape[] = [
  { B: 1, T: 1, NH: 1, HS: 8 },
  { B: 2, T: 7, NH: 3, HS: 8 },
  { B: 1, T: 33, NH: 2, HS: 16 },
  { B: 2, T: 65, NH: 1, HS: 64 },
  { B: 1, T: 20, NH: 1, HS: 128 },
];

const name = ({ B, T, NH, HS }: AttentionShape) => `B=${B} T=${T} NH=${NH} HS=${HS}`;

describe('attention_forward / attention_backward vs the float64 reference', () => {
  for (const shape of SHAPES) {
    it(`forward (flash and plain) at ${name(shape)}`, async () => {
      const gpu = await testGpu();
      for (const variant of ['flash', 'plain'] as const) {
        const result = await checkAttentionForward(gpu, shape, freshSeed(), variant);
        expect(result.ok, result.report).toBe(true);
      }
    });
    it(`backward at ${name(shape)}`, async () => {
      const gpu = await testGpu();
      const result = await checkAttentionBackward(gpu, shape, freshSeed());
      expect(result.ok, result.report).toBe(true);
    });
  }

  it('stays finite and accurate with scores in the hundreds (running max)', async () => {
    const gpu = await testGpu();
    const shape = { B: 1, T: 33, NH: 2, HS: 16 };
    for (const variant of ['flash', 'plain'] as const) {
      const result = await checkAttentionForward(gpu, shape, freshSeed(), variant, 20);
      expect(result.ok, result.report).toBe(true);
    }
    const result = await checkAttentionBackward(gpu, shape, freshSeed(), 20);
    expect(result.ok, result.report).toBe(true);
  });

  // The benchmarks time these too (the backward's 32 KiB tiles, attentionSweep's shapes): each is checked here.
  it('is accurate with 32 KiB tiles and with every tile shape the benchmarks sweep', async () => {
    const gpu = await testGpu();
    expect(gpu.adapter.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(32768); // else the tiles would shrink unseen
    const tileShapes = [ATTENTION_TILE_SHAPE, { dpt: 8, threads: 128 }, { dpt: 4, threads: 128 }, { dpt: 2, threads: 256 }];
    for (const shape of [{ B: 1, T: 33, NH: 2, HS: 16 }, { B: 1, T: 65, NH: 1, HS: 64 }]) {
      for (const [budget, tileShape] of [16384, 32768].flatMap((b) => tileShapes.map((t) => [b, t] as const))) {
        const tiles = attentionTilesFor(gpu, shape.T, shape.HS, budget, tileShape);
        const label = `${name(shape)} ${budget} B dpt=${tileShape.dpt} threads=${tileShape.threads}`;
        const forward = await checkAttentionForward(gpu, shape, freshSeed(), 'flash', 1, tiles);
        expect(forward.ok, `${label}: ${forward.report}`).toBe(true);
        const backward = await checkAttentionBackward(gpu, shape, freshSeed(), 1, tiles);
        expect(backward.ok, `${label}: ${backward.report}`).toBe(true);
      }
    }
    expect(await attentionRunsIdentical(gpu, { B: 1, T: 65, NH: 1, HS: 64 }, freshSeed(), attentionTilesFor(gpu, 65, 64, 32768))).toBe(true);
  });

  it('is bit-identical across two runs (flash and plain forward, backward, several tiles per sequence)', async () => {
    const gpu = await testGpu();
    expect(await attentionRunsIdentical(gpu, { B: 2, T: 128, NH: 2, HS: 16 }, freshSeed())).toBe(true);
    expect(await attentionRunsIdentical(gpu, { B: 2, T: 65, NH: 1, HS: 64 }, freshSeed())).toBe(true);
  });
});

describe('attention tiles', () => {
  it('fit 16 KiB and 32 KiB of workgroup memory and 256 threads at every head size and tile shape', () => {
    const shapes = [ATTENTION_TILE_SHAPE, { dpt: 8, threads: 128 }, { dpt: 2, threads: 256 }, { dpt: 1, threads: 64 }];
    for (const [budget, tileShape] of [16384, 32768].flatMap((b) => shapes.map((s) => [b, s] as const))) {
      for (let HS = 1; HS <= ATTENTION_MAX_HS; HS++) {
        const { forward: f, plain: p, backward: b } = attentionTiles(256, HS, budget, tileShape);
        const SP = HS + 1;
        const words = [
          f.BQ * SP + 2 * f.BK * SP + f.BQ * (f.BK + 1),
          p.BQ * SP + p.BQ * (p.TMAX + 1) + p.BQ * p.TPR,
          4 * b.TILE * SP + 2 * b.TILE * (b.TILE + 1) + 2 * b.TILE,
        ];
        for (const w of words) expect(w * 4).toBeLessThanOrEqual(budget);
        for (const [rows, tpr] of [[f.BQ, f.TPR], [p.BQ, p.TPR], [b.TILE, b.TPR]]) expect(rows * tpr).toBeLessThanOrEqual(256);
        expect(Math.ceil(HS / f.TPR)).toBeLessThanOrEqual(8);
      }
    }
  });
});

describe('attention reference', () => {
  it('backward matches finite differences of sum(out * r) in float64', () => {
    const shape = { B: 2, T: 5, NH: 2, HS: 4 };
    const { B, T, NH, HS } = shape;
    const rng = new Rng(freshSeed());
    const qkvr = Float64Array.from(randomQkvr(rng, shape));
    const r = randomArray(rng, B * T * NH * HS);
    const out = new Float64Array(B * T * NH * HS);
    const lse = new Float64Array(B * NH * T);
    const loss = () => {
      attentionForwardRef(out, lse, qkvr, B, T, NH, HS);
      return dot(out, r);
    };
    loss();
    const grad = new Float64Array(qkvr.length);
    attentionBackwardRef(grad, r, qkvr, out, lse, B, T, NH, HS);
    const all = Array.from({ length: qkvr.length }, (_, i) => i);
    const { maxAbs, maxRel } = finiteDifferenceError(loss, qkvr, grad, all);
    expect(maxAbs).toBeLessThan(1e-8);
    expect(maxRel).toBeLessThan(1e-5);
  });
});
