import { describe, expect, it } from 'vitest';
import { createBuffer, poisonBuffer, uploadBuffer } from '../gpu/buffers';
import { runOnce } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { testGpu } from '../test/gpu';
import { Rng } from '../util/rng';
import { freshSeed, randomArray } from './check';
import { MATMUL_CONFIGS, matmulConfigsFor, matmulDispatch, matmulPlanFor, matmulSharedBytes, prepareMatmul, validateMatmulConfig, type MatmulMode, type MatmulPlan } from './matmul';
import { MATMUL_SWEEP } from './matmul.bench';
import { bitIdentical } from './harness';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from './matmul.ref';
import { checkMatmul, matmulLayout } from './matmul.selftest';

const MODES: MatmulMode[] = ['forward', 'backward_input', 'backward_weight'];
// [M, K, N]: degenerate, odd, just past a tile, the small model's K=64, and exact tiles.
const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [33, 65, 17], [100, 64, 192], [128, 128, 128]];
const { large, small } = MATMUL_CONFIGS;
// The shape's own plan, every wrapper config unsplit, and split reductions (some splits get no slices at all;
// 11 splits take matmul_reduce_splits through a batch of eight loads and a tail).
const PLANS: Partial<MatmulPlan>[] = [
  {}, ...Object.values(MATMUL_CONFIGS).map((config) => ({ config, splits: 1 })),
  { config: small, splits: 3 }, { config: large, splits: 5 }, { config: small, splits: 11 },
];

describe('matmul kernels against the float64 reference', () => {
  for (const mode of MODES) {
    for (const [M, K, N] of SHAPES) {
      it(`matmul_${mode} M=${M} K=${K} N=${N} with the planned, every wrapper and split plans`, async () => {
        const gpu = await testGpu();
        for (const plan of PLANS) {
          const result = await checkMatmul(gpu, mode, M, K, N, freshSeed(), plan);
          expect(result.ok, result.report).toBe(true);
        }
      });
    }
  }

  it('every benchmark sweep config is correct at an odd shape and at an aligned one (vec4 loads)', async () => {
    const gpu = await testGpu();
    for (const config of MATMUL_SWEEP) {
      for (const mode of MODES) {
        for (const [M, K, N] of [[37, 41, 19], [68, 36, 44]]) {
          const result = await checkMatmul(gpu, mode, M, K, N, freshSeed(), { config });
          expect(result.ok, result.report).toBe(true);
        }
      }
    }
  });

  // Every config matmulPlanFor can pick (largeForward, large, medium, small), unsplit and split in 3, twice each
  // into NaN-poisoned outputs: every element written and the same bits both times. The shape is no multiple of
  // any tile (M, N) nor of BK (K = 76: vec4-aligned rows with a partial last slice), and every split gets slices.
  for (const mode of MODES) {
    it(`matmul_${mode} is bit-identical across two runs with every config, unsplit and split`, async () => {
      const gpu = await testGpu();
      const [M, K, N] = [130, 76, 135];
      await prepareMatmul(gpu);
      const { sizes } = matmulLayout(mode, M, K, N);
      const seed = freshSeed();
      const rng = new Rng(seed);
      const a = uploadBuffer(gpu, 'test:a', randomArray(rng, sizes[1]));
      const b = uploadBuffer(gpu, 'test:b', randomArray(rng, sizes[2]));
      const outs = [createBuffer(gpu, 'test:out1', sizes[0] * 4), createBuffer(gpu, 'test:out2', sizes[0] * 4)];
      for (const [name, config] of Object.entries(MATMUL_CONFIGS)) {
        for (const splits of [1, 3]) {
          for (const out of outs) {
            poisonBuffer(gpu, out);
            await runOnce(gpu, matmulDispatch(gpu, mode, out, a, b, M, K, N, { config, splits }));
          }
          const [first, second] = await Promise.all(outs.map((out) => readF32(gpu, out, sizes[0])));
          const label = `matmul_${mode} ${name} splits=${splits} seed=${seed}`;
          expect(first.every(Number.isFinite), `${label}: unwritten outputs`).toBe(true);
          expect(bitIdentical(first, second), label).toBe(true);
        }
      }
      [a, b, ...outs].forEach((buf) => buf.destroy());
    });
  }
});

describe('matmul references', () => {
  it('backward references are the gradients of sum(y * r) (central finite differences)', () => {
    const [M, K, N] = [5, 7, 3];
    const rng = new Rng(freshSeed());
    const x = Float64Array.from(randomArray(rng, M * K));
    const w = Float64Array.from(randomArray(rng, N * K));
    const r = Float64Array.from(randomArray(rng, M * N));
    const loss = () => {
      const y = new Float64Array(M * N);
      matmulForward(y, x, w, M, K, N);
      return y.reduce((sum, v, i) => sum + v * r[i], 0);
    };
    const dx = new Float64Array(M * K);
    const dw = new Float64Array(N * K);
    matmulBackwardInput(dx, r, w, M, K, N);
    matmulBackwardWeight(dw, r, x, M, K, N);
    const h = 1e-4;
    for (const [param, grad] of [[x, dx], [w, dw]] as const) {
      for (let i = 0; i < param.length; i++) {
        const keep = param[i];
        param[i] = keep + h;
        const up = loss();
        param[i] = keep - h;
        const down = loss();
        param[i] = keep;
        expect(Math.abs((up - down) / (2 * h) - grad[i])).toBeLessThan(1e-8);
      }
    }
  });

  it('backward references overwrite their outputs', () => {
    const dx = new Float64Array(4).fill(Number.NaN);
    matmulBackwardInput(dx, [1, 2], [3, 4, 5, 6], 1, 2, 2);
    expect([...dx.slice(0, 2)]).toEqual([1 * 3 + 2 * 5, 1 * 4 + 2 * 6]);
  });
});

describe('matmul tile choice', () => {
  it('every config is valid; big outputs get large tiles, long reductions over small outputs are split', () => {
    for (const config of [...Object.values(MATMUL_CONFIGS), ...MATMUL_SWEEP]) validateMatmulConfig(config);
    expect(matmulPlanFor('forward', 8192, 2304, 768)).toEqual({ config: MATMUL_CONFIGS.largeForward, splits: 1 });
    expect(matmulPlanFor('backward_input', 8192, 2304, 768)).toEqual({ config: large, splits: 1 });
    expect(matmulPlanFor('backward_input', 8192, 768, 2304)).toEqual({ config: large, splits: 3 });
    expect(matmulPlanFor('forward', 2048, 2048, 2048)).toEqual({ config: MATMUL_CONFIGS.largeForward, splits: 1 });
    expect(matmulPlanFor('forward', 7, 5, 13)).toEqual({ config: small, splits: 1 });
    expect(matmulPlanFor('forward', 4096, 192, 64)).toEqual({ config: small, splits: 1 });
    expect(matmulPlanFor('backward_weight', 2304, 768, 8192)).toEqual({ config: large, splits: 10 });
    expect(matmulPlanFor('backward_weight', 192, 64, 4096).splits).toBeGreaterThan(8);
  });

  it("fits the device's workgroup memory: at WebGPU's default 16 KiB the forward takes the single-buffered large tile", () => {
    expect(matmulSharedBytes(MATMUL_CONFIGS.largeForward)).toBeGreaterThan(16384);
    expect(matmulPlanFor('forward', 8192, 688, 128, 16384)).toEqual({ config: large, splits: 1 }); // tpp20's MLP in
    expect(matmulPlanFor('forward', 8192, 688, 128, 32768).config).toBe(MATMUL_CONFIGS.largeForward);
    const tpp20 = matmulConfigsFor([[128, 688]], 8192, 16384);
    expect(tpp20.every((c) => matmulSharedBytes(c) <= 16384)).toBe(true);
    expect(tpp20).toContain(large);
  });

  it('refuses a config the shader cannot run: BK not a multiple of 4 would misplace vec4 fetches', () => {
    expect(() => validateMatmulConfig({ BM: 128, BN: 128, BK: 2, TM: 16, TN: 16, NBUF: 1 })).toThrow(/BK, BM and BN must be multiples of 4/);
  });
});
