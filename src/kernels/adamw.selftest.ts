// Self-test for the AdamW chain (reduce_norm -> adamw_prepare -> adamw_step) over several steps against the
// float64 reference, used by the page and the tests. Steps are encoded either one submit each
// (writeAdamwHyper before every step) or all in one submit (writeAdamwSchedule once).
import type { Gpu } from '../gpu/adapter';
import { uploadBuffer } from '../gpu/buffers';
import { runDispatches } from '../gpu/dispatch';
import { readF32 } from '../gpu/readback';
import { Rng } from '../util/rng';
import { compareArrays, randomArray, type Comparison } from './check';
import { adamwKernels, adamwStep, readAdamwState, writeAdamwHyper, writeAdamwSchedule } from './adamw';
import { adamwStep as adamwStepRef, decayMask, type AdamwHyper, type TensorRange } from './adamw.ref';
import { reduceKernels, reduceNorm } from './reduce';
import { reduceNorm as reduceNormRef } from './reduce.ref';

export interface AdamwCase {
  /** The tensor table (contiguous from 0); N is its total length. */
  table: TensorRange[];
  steps: number;
  weightDecay: number;
  /** Gradients uniform in [-gradScale, gradScale): large values make the clip trigger. */
  gradScale: number;
  maxNorm?: number;
  /** Encode all steps in one submit from a schedule (else one submit per step). */
  oneSubmit?: boolean;
}

/** A table of tensors with the given lengths, decay flags alternating from `firstDecay`. */
export function tensorTable(lengths: number[], firstDecay = true): TensorRange[] {
  let offset = 0;
  return lengths.map((length, k) => {
    const r = { offset, length, decay: (k % 2 === 0) === firstDecay };
    offset += length;
    return r;
  });
}

/** Step k's hyperparameters: a decaying lr, t from 1, betas/eps of the lab. */
export function scheduleFor(c: AdamwCase): AdamwHyper[] {
  return Array.from({ length: c.steps }, (_, k) => ({
    lr: 1e-2 * (1 - 0.2 * k),
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: c.weightDecay,
    step: k + 1,
    maxNorm: c.maxNorm ?? 1,
  }));
}

export function mergeComparisons(parts: Comparison[]): Comparison {
  return {
    ok: parts.every((p) => p.ok),
    maxAbsError: Math.max(...parts.map((p) => p.maxAbsError)),
    bad: parts.reduce((n, p) => n + p.bad, 0),
    report: parts.map((p) => p.report).join('\n'),
  };
}

export interface AdamwCheck {
  comparison: Comparison;
  /** The clip scale of the last step: from the GPU and from the reference. */
  clip: number;
  refClip: number;
  /** Final params, m and v as f32 bits, for determinism checks. */
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** The optimizer state after the last step (readAdamwState: cursor, count, clip, t, lr). */
  state: Awaited<ReturnType<typeof readAdamwState>>;
}

export async function checkAdamw(gpu: Gpu, c: AdamwCase, seed: number): Promise<AdamwCheck> {
  for (const kernel of [...reduceKernels, ...adamwKernels]) await gpu.pipelines.prepare(kernel);
  const N = c.table.reduce((n, r) => n + r.length, 0);
  const rng = new Rng(seed);
  const p0 = randomArray(rng, N, 1);
  const m0 = randomArray(rng, N, 0.1 * c.gradScale);
  // v >= m² as in a real run (|m| <= sqrt(v)), so no update is an ill-conditioned m / tiny sqrt(v).
  const v0 = Float32Array.from(randomArray(rng, N, c.gradScale), (x, i) => x * x + m0[i] * m0[i]);
  const grads = randomArray(rng, N, c.gradScale);
  const bufs = [p0, m0, v0, grads].map((x, k) => uploadBuffer(gpu, `test:${['params', 'm', 'v', 'grads'][k]}`, x));
  const [params, m, v, bufGrads] = bufs;
  const gradNorm = uploadBuffer(gpu, 'test:grad_norm', new Float32Array([Number.NaN]));
  const norm = reduceNorm(gpu, gradNorm, bufGrads, N);
  const opt = adamwStep(gpu, params, m, v, bufGrads, gradNorm, c.table, N, { capacity: c.steps });
  const schedule = scheduleFor(c);
  const step = [...norm.dispatches, ...opt.dispatches];
  if (c.oneSubmit) {
    writeAdamwSchedule(gpu, opt, schedule);
    await runDispatches(gpu, schedule.flatMap(() => step));
  } else {
    for (const hp of schedule) {
      writeAdamwHyper(gpu, opt, hp);
      await runDispatches(gpu, step);
    }
  }
  const [gotP, gotM, gotV] = await Promise.all([params, m, v].map((b) => readF32(gpu, b, N)));
  const state = await readAdamwState(gpu, opt);
  norm.release();
  opt.release();
  [...bufs, gradNorm].forEach((b) => b.destroy());

  const [wantP, wantM, wantV] = [p0, m0, v0].map((x) => Float64Array.from(x));
  const refNorm = new Float64Array(1);
  reduceNormRef(refNorm, grads, N);
  const mask = decayMask(c.table, N);
  for (const hp of schedule) adamwStepRef(wantP, wantM, wantV, grads, refNorm, mask, N, hp);
  const refClip = Math.min(1, (c.maxNorm ?? 1) / (refNorm[0] + 1e-6));
  // f32 rounding of a few ulps per step: params move by about lr per step; m ~ |g|, v ~ g² after the clip.
  const g = c.gradScale * refClip;
  const name = `N=${N} steps=${c.steps} wd=${c.weightDecay} grads=${c.gradScale} oneSubmit=${Boolean(c.oneSubmit)} seed=${seed}`;
  const comparison = mergeComparisons([
    compareArrays(`adamw_step params ${name}`, gotP, wantP, { atol: 2e-7 * c.steps, rtol: 2e-6 }),
    compareArrays(`adamw_step m ${name}`, gotM, wantM, { atol: 1e-6 * g, rtol: 1e-5 }),
    compareArrays(`adamw_step v ${name}`, gotV, wantV, { atol: 1e-6 * g * g, rtol: 1e-5 }),
  ]);
  if (state.cursor !== (c.oneSubmit ? c.steps : 1) || state.t !== c.steps) {
    comparison.ok = false;
    comparison.report += `\nadamw hyper: cursor ${state.cursor}, t ${state.t} after ${c.steps} steps`;
  }
  return { comparison, clip: state.clip, refClip, params: gotP, m: gotM, v: gotV, state };
}

/** The page's quick check: 3 steps in one submit over a mixed-decay table whose size is not a multiple of 256. */
export async function checkAdamwStep(gpu: Gpu, seed: number): Promise<Comparison> {
  const table = tensorTable([300, 64, 1000, 64, 333]);
  return (await checkAdamw(gpu, { table, steps: 3, weightDecay: 0.1, gradScale: 0.05, oneSubmit: true }, seed)).comparison;
}
