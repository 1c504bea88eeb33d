// GPU wrapper for shaders/adamw.wgsl. Same name and argument order as adamw.ref.ts, except that the step's
// hyperparameters are not an argument: they live in the optimizer's `hyper` buffer, written per step or per
// phase (writeAdamwHyper / writeAdamwSchedule) without rebuilding pipelines or bind groups.
//
// hyper buffer layout (storage, 4-byte words): [cursor, count, clip, pad] then `current` (one StepHyper) then
// `schedule` (capacity StepHyper records of 12 words: lr, 1 - lr*wd, b1, 1-b1, b2, 1-b2, eps, maxNorm,
// lr/(1-b1^t), sqrt(1-b2^t), t, pad). Each step's adamw_prepare copies schedule[cursor] into `current`,
// computes the clip scale from gradNorm and increments cursor, so K steps encoded in one submit read records
// 0..K-1 in turn. Upload a phase's records (or the next submit's) with writeAdamwSchedule, which also resets
// cursor to 0; queue.writeBuffer is ordered after earlier submits, so in-flight steps are unaffected.
import code from '../../shaders/adamw.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { createBuffer, createUniform, packUniform, uploadBuffer } from '../gpu/buffers';
import { grid1d, makeDispatch, type Dispatch } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';
import { readBuffer } from '../gpu/readback';
import { assertTensorTable, type AdamwHyper, type TensorRange } from './adamw.ref';

export type { AdamwHyper, TensorRange } from './adamw.ref';

export const adamwPrepareKernel: KernelSource = { name: 'adamw_prepare', code, entryPoint: 'adamw_prepare' };
export const adamwStepKernel: KernelSource = { name: 'adamw_step', code, entryPoint: 'adamw_step' };

/** Every pipeline this family uses (default overrides): `gpu.pipelines.prepare` each before making dispatches. */
export const adamwKernels: KernelSource[] = [adamwPrepareKernel, adamwStepKernel];

const WG = 256;
const RECORD_WORDS = 12;
const HEADER_BYTES = 16 + 4 * RECORD_WORDS; // cursor, count, clip, pad, current
/** Default number of schedule records (48 bytes each). */
export const ADAMW_DEFAULT_CAPACITY = 256;

/**
 * The table as the shader reads it: [first flag, F, the F offsets where the decay flag changes]. A model with
 * `all` decay is [1, 0]; `matrices` decay flips a few times per layer: bytes per tensor, not per parameter.
 */
export function packDecayTable(table: readonly TensorRange[], N: number): Uint32Array {
  assertTensorTable(table, N);
  const nonEmpty = table.filter((r) => r.length > 0);
  const flips: number[] = [];
  for (let k = 1; k < nonEmpty.length; k++) if (nonEmpty[k].decay !== nonEmpty[k - 1].decay) flips.push(nonEmpty[k].offset);
  return Uint32Array.from([nonEmpty[0]?.decay ? 1 : 0, flips.length, ...flips]);
}

/** One step's record: the constants PyTorch computes in float64 on the host, rounded once to f32. */
export function packStepHyper(hp: AdamwHyper, view: DataView = new DataView(new ArrayBuffer(4 * RECORD_WORDS)), byteOffset = 0): DataView {
  const { lr, beta1, beta2, eps, weightDecay, step, maxNorm } = hp;
  if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`adamw: step (t) must be an integer >= 1, got ${step}`);
  const floats = [lr, 1 - lr * weightDecay, beta1, 1 - beta1, beta2, 1 - beta2, eps, maxNorm, lr / (1 - beta1 ** step), Math.sqrt(1 - beta2 ** step)];
  floats.forEach((x, k) => view.setFloat32(byteOffset + 4 * k, x, true));
  view.setUint32(byteOffset + 40, step, true);
  view.setUint32(byteOffset + 44, 0, true);
  return view;
}

export interface AdamwOptions {
  /** Schedule records the hyper buffer holds (steps per upload); default ADAMW_DEFAULT_CAPACITY. */
  capacity?: number;
}

export interface AdamwOptimizer {
  /** [adamw_prepare, adamw_step]: run after reduce_norm has written gradNorm[0]. */
  dispatches: Dispatch[];
  /** The per-step hyperparameters and cursor (layout above); owned by the optimizer. */
  hyper: GPUBuffer;
  /** The packed decay table (packDecayTable). */
  decayTable: GPUBuffer;
  capacity: number;
  release: () => void;
}

/**
 * One AdamW step over N floats of params, m, v (updated in place) from grads, clipped by the global norm in
 * gradNorm[0]; `decay` is the tensor table (contiguous, covering [0, N)). Write hyperparameters before the
 * first run: writeAdamwHyper (one step) or writeAdamwSchedule (many steps per submit).
 */
export function adamwStep(
  gpu: Gpu,
  params: GPUBuffer,
  m: GPUBuffer,
  v: GPUBuffer,
  grads: GPUBuffer,
  gradNorm: GPUBuffer,
  decay: readonly TensorRange[],
  N: number,
  opts: AdamwOptions = {},
): AdamwOptimizer {
  if (!(Number.isInteger(N) && N >= 1)) throw new RangeError(`adamw_step: need N >= 1, got ${N}`);
  for (const [name, buf] of [['params', params], ['m', m], ['v', v], ['grads', grads]] as const) {
    if (buf.size < 4 * N) throw new RangeError(`adamw_step: ${name} (${buf.size} bytes) holds fewer than N=${N} floats`);
  }
  const capacity = opts.capacity ?? ADAMW_DEFAULT_CAPACITY;
  if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`adamw_step: capacity must be >= 1, got ${capacity}`);
  const decayTable = uploadBuffer(gpu, 'adamw_step:decay_table', packDecayTable(decay, N));
  const hyper = createBuffer(gpu, 'adamw:hyper', HEADER_BYTES + 4 * RECORD_WORDS * capacity);
  gpu.device.queue.writeBuffer(hyper, 0, new Uint32Array([0, 0]));
  const sizes = createUniform(gpu, 'adamw_step:params', packUniform([N]));
  const dispatches = [
    makeDispatch(gpu, { kernel: adamwPrepareKernel, buffers: [hyper, gradNorm], workgroups: [1] }),
    makeDispatch(gpu, { kernel: adamwStepKernel, buffers: [params, m, v, grads, decayTable, hyper], uniform: sizes, workgroups: grid1d(gpu, N, WG) }),
  ];
  const release = () => [decayTable, hyper, sizes].forEach((b) => b.destroy());
  return { dispatches, hyper, decayTable, capacity, release };
}

/** Uploads records for the next steps (step k of the coming submits reads hps[k]) and resets the cursor. */
export function writeAdamwSchedule(gpu: Gpu, optimizer: Pick<AdamwOptimizer, 'hyper' | 'capacity'>, hps: readonly AdamwHyper[]): void {
  if (hps.length < 1 || hps.length > optimizer.capacity) throw new RangeError(`adamw: ${hps.length} records do not fit a schedule of capacity ${optimizer.capacity}`);
  const view = new DataView(new ArrayBuffer(4 * RECORD_WORDS * hps.length));
  hps.forEach((hp, k) => packStepHyper(hp, view, 4 * RECORD_WORDS * k));
  gpu.device.queue.writeBuffer(optimizer.hyper, HEADER_BYTES, view.buffer);
  gpu.device.queue.writeBuffer(optimizer.hyper, 0, new Uint32Array([0, hps.length]));
}

/** The single-step path: the next step uses `hp` (a schedule of one record). */
export function writeAdamwHyper(gpu: Gpu, optimizer: Pick<AdamwOptimizer, 'hyper' | 'capacity'>, hp: AdamwHyper): void {
  writeAdamwSchedule(gpu, optimizer, [hp]);
}

/** What the last step used (a readback, for tests and diagnostics; never inside a step). */
export async function readAdamwState(gpu: Gpu, optimizer: Pick<AdamwOptimizer, 'hyper'>): Promise<{ cursor: number; count: number; clip: number; t: number; lr: number }> {
  const view = new DataView(await readBuffer(gpu, optimizer.hyper, HEADER_BYTES));
  const u32 = (k: number) => view.getUint32(4 * k, true);
  const f32 = (k: number) => view.getFloat32(4 * k, true);
  return { cursor: u32(0), count: u32(1), clip: f32(2), t: u32(4 + 10), lr: f32(4) };
}
