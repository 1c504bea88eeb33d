// matmul at the lab's real shapes (B*T=4096 tokens, C=64), at GPT-2-small training shapes (8192 tokens x 768)
// and square sizes; compute-bound: 2*M*K*N flops. `matmul` carries the layout so peers (TF.js) can run the
// same product. MATMUL_SWEEP lists tile configs the benchmark can time side by side (`--sweep`).
import { uploadBuffer } from '../gpu/buffers';
import { Rng } from '../util/rng';
import type { KernelBench } from './bench';
import { randomArray } from './check';
import { MATMUL_CONFIGS, matmulDims, matmulDispatch, matmulPlanFor, matmulSplitsFor, prepareMatmul, type MatmulConfig, type MatmulMode, type MatmulPlan } from './matmul';
import { matmulLayout } from './matmul.selftest';

export interface MatmulBench extends KernelBench {
  /** The product; `plan` set when the bench overrides the wrapper's own plan (a sweep row). */
  matmul: { mode: MatmulMode; M: number; K: number; N: number; plan?: Partial<MatmulPlan> };
}

export function planName({ config: c, splits }: MatmulPlan): string {
  const tile = `${c.BM}x${c.BN}x${c.BK}/${c.TM}x${c.TN}${c.NBUF === 2 ? '/db' : ''}${c.INTERIOR === 0 ? '/checked' : ''}${c.VEC === 0 ? '/scalar' : ''}`;
  return splits > 1 ? `${tile} split ${splits}` : tile;
}

export function matmulBench(mode: MatmulMode, M: number, K: number, N: number, label: string, plan?: Partial<MatmulPlan>): MatmulBench {
  const { sizes } = matmulLayout(mode, M, K, N);
  const { P, Q, R } = matmulDims(mode, M, K, N);
  const auto = matmulPlanFor(mode, P, Q, R);
  const config = plan?.config ?? auto.config;
  const splits = plan?.splits ?? (plan?.config ? matmulSplitsFor(config, P, Q, R) : auto.splits);
  return {
    kernel: `matmul_${mode}`,
    shape: `${label} ${planName({ config, splits })}`,
    flops: 2 * M * K * N,
    matmul: { mode, M, K, N, plan },
    async setup(gpu) {
      await prepareMatmul(gpu, [config]);
      const rng = new Rng(1);
      const [out, a, b] = sizes.map((n, i) => uploadBuffer(gpu, `bench:matmul:${i}`, randomArray(rng, n)));
      const dispatches = matmulDispatch(gpu, mode, out, a, b, M, K, N, { config, splits });
      return { dispatches, release: () => [out, a, b].forEach((x) => x.destroy()) };
    },
  };
}

const MODES: MatmulMode[] = ['forward', 'backward_input', 'backward_weight'];

function allModes(M: number, K: number, N: number, label: string): MatmulBench[] {
  return MODES.map((mode) => matmulBench(mode, M, K, N, label));
}

/** The lab's projections (BT=4096, C=64: attention out C, qkv 3C, MLP 4C, lm head V=128, MLP down), GPT-2 shapes, squares. */
export const matmulBenches: MatmulBench[] = [
  ...[64, 192, 256, 128].flatMap((N) => allModes(4096, 64, N, `BT=4096 C=64 OC=${N}`)),
  ...allModes(4096, 256, 64, 'BT=4096 C=256 OC=64'),
  ...[2304, 3072, 768, 256].flatMap((N) => allModes(8192, 768, N, `BT=8192 C=768 OC=${N}`)),
  ...[1024, 2048, 4096].map((n) => matmulBench('forward', n, n, n, `${n}^3`)),
];

/**
 * Tile configs timed against each other by `npm run bench -- --sweep` (each is checked by matmul.test.ts).
 * H200 through Dawn, f32 GFLOP/s. 2026-11-25, scalar loads, 4096^3 / 8192x768x2304 forward: 128x128x8 8x8
 * single buffer 36.8k / 35.6k, double buffered the same within noise, BK=16 35.8k / 34.6k, 128x64 28.5k,
 * 64x64 4x4 25k, 32x32 21k; 8x16 and 16x8 microtiles 32-34k (dropped); Dawn's robustness off 4% faster.
 * 2026-11-26, three calls with vec4 loads: 4096^3 single buffer 37.3k, double buffered 36.7-37.7k, BK=16
 * 34-35k, vec4 off 23-36k (erratic); 64x64 8x8 31-32k against 22-24k for 4x4, and at the lab's MLP-in
 * (4096 x 64 -> 256) 12.4-12.8k against 10.5-10.8k, so `medium` is 8x8 now. The lab's other K=64 shapes are
 * fastest with 32x32 tiles. Heavy kernels vary by up to 10% between machines and runs. `/scalar` rows turn
 * the vec4 loads off (A/B).
 */
export const MATMUL_SWEEP: MatmulConfig[] = [
  MATMUL_CONFIGS.large,
  { ...MATMUL_CONFIGS.large, VEC: 0 },
  MATMUL_CONFIGS.largeForward,
  { ...MATMUL_CONFIGS.largeForward, VEC: 0 },
  { BM: 128, BN: 128, BK: 16, TM: 8, TN: 8, NBUF: 1 },
  { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4, NBUF: 2 },
  { BM: 64, BN: 64, BK: 32, TM: 4, TN: 4, NBUF: 1 },
  MATMUL_CONFIGS.medium,
  MATMUL_CONFIGS.small,
];

type Case = [MatmulMode, number, number, number, string];

/**
 * Every sweep config at a square size, a GPT-2 training shape in all layouts and the lab's qkv and MLP-in
 * projections; split counts for the GPT-2 weight and input gradients (a split grid's last wave may run
 * nearly empty), 2048^3 and the lab's qkv dw.
 */
export function matmulSweepBenches(full: boolean): MatmulBench[] {
  const gpt2 = MODES.map((m): Case => [m, 8192, 768, 2304, 'BT=8192 C=768 OC=2304']);
  const lab: Case[] = [192, 256].map((N): Case => ['forward', 4096, 64, N, `BT=4096 C=64 OC=${N}`]);
  const narrow: Case = ['forward', 8192, 768, 256, 'BT=8192 C=768 OC=256'];
  const shapes: Case[] = full
    ? [['forward', 4096, 4096, 4096, '4096^3'], ...gpt2, narrow, ...lab]
    : [['forward', 256, 256, 256, '256^3'], ...lab];
  const gpt2Dw = ([[2304, [3, 6, 10, 14]], [3072, [2, 8, 11]], [768, [11, 22, 29, 44]], [256, [16, 32, 64]]] as const).flatMap(([N, counts]) =>
    counts.map((splits) => matmulBench('backward_weight', 8192, 768, N, `BT=8192 C=768 OC=${N}`, { config: MATMUL_CONFIGS.large, splits })),
  );
  // dx's split counts (the plan splits it to ~1024 workgroups) and the forward's at a 256-tile square.
  const bk16 = MATMUL_SWEEP.find((c) => c.BK === 16) ?? MATMUL_CONFIGS.large;
  const gpt2Dx = [2304, 3072].flatMap((N) => [
    ...[1, 2, 3, 4, 6].map((splits) => matmulBench('backward_input', 8192, 768, N, `BT=8192 C=768 OC=${N}`, { config: MATMUL_CONFIGS.large, splits })),
    matmulBench('backward_input', 8192, 768, N, `BT=8192 C=768 OC=${N}`, { config: bk16, splits: 3 }),
  ]);
  const squareSplits = [1, 2, 4].map((splits) => matmulBench('forward', 2048, 2048, 2048, '2048^3', { config: MATMUL_CONFIGS.largeForward, splits }));
  const narrowSplits = [2, 3].map((splits) => matmulBench('forward', 8192, 768, 256, 'BT=8192 C=768 OC=256', { config: MATMUL_CONFIGS.large, splits }));
  const labDw = [128, 192].flatMap((N) => [16, 32, 64].map((splits) =>
    matmulBench('backward_weight', 4096, 64, N, `BT=4096 C=64 OC=${N}`, { config: MATMUL_CONFIGS.small, splits }),
  ));
  // The lab's products over R = 256 into 4096 x 64 outputs: MLP down (forward) and MLP in (dx).
  const labR256 = [1, 2, 4, 8].flatMap((splits) => [
    matmulBench('forward', 4096, 256, 64, 'BT=4096 C=256 OC=64', { config: MATMUL_CONFIGS.small, splits }),
    matmulBench('backward_input', 4096, 64, 256, 'BT=4096 C=64 OC=256', { config: MATMUL_CONFIGS.small, splits }),
  ]);
  return [...shapes.flatMap(([mode, M, K, N, label]) => MATMUL_SWEEP.map((config) => matmulBench(mode, M, K, N, label, { config }))), ...(full ? [...gpt2Dw, ...gpt2Dx, ...squareSplits, ...narrowSplits] : []), ...labDw, ...labR256];
}
