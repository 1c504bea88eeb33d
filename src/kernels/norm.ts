// GPU wrappers for shaders/norm.wgsl. Same names and argument order as norm.ref.ts (the extra trailing
// `options` of normBackward only tunes/places the scratch buffer).
import code from '../../shaders/norm.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { createBuffer, packUniform } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const normForwardKernel: KernelSource = { name: 'norm_forward', code, entryPoint: 'norm_forward' };
export const normBackwardKernel: KernelSource = { name: 'norm_backward', code, entryPoint: 'norm_backward' };
export const normBackwardDgainKernel: KernelSource = { name: 'norm_backward_dgain', code, entryPoint: 'norm_backward_dgain' };

/** Every pipeline the norm wrappers use (default overrides): prepare these before building dispatches. */
export const normKernels: KernelSource[] = [normForwardKernel, normBackwardKernel, normBackwardDgainKernel];

const WG = 256;
/** Columns each thread holds in registers (MAXV in norm.wgsl). */
const MAXV = 8;
/** Columns per workgroup of norm_backward_dgain (DGAIN_COLS in norm.wgsl). */
const DGAIN_COLS = 8;
/**
 * The backward aims for about this many workgroups (slots, one dgain partial row each): each takes its rows
 * in turns, a load latency per turn, so fewer slots leave that latency exposed and more cost partial traffic.
 * H200, 8192 x 768 RMSNorm backward: 8 rows per slot (1024 slots) 49.8 us, 16 rows 54.4 us, 4 rows 54.7 us,
 * 2 rows 66.8 us.
 */
const TARGET_SLOTS = 1024;

/** Threads per row: the next power of two >= C / MAXV (so each holds <= MAXV columns), at most the workgroup. */
export function normLanes(C: number): number {
  const want = Math.ceil(C / MAXV);
  let lanes = 1;
  while (lanes < want && lanes < WG) lanes *= 2;
  return lanes;
}

export interface NormLayout {
  lanes: number;
  rowsPerSlot: number;
  slots: number;
}

/** Default rowsPerSlot: a multiple of the row groups per workgroup, for about TARGET_SLOTS workgroups. */
export function normLayout(BT: number, C: number, rowsPerSlot?: number): NormLayout {
  if (!(BT >= 1 && C >= 1)) throw new Error(`norm: BT=${BT} C=${C} must be >= 1`);
  const lanes = normLanes(C);
  const groups = WG / lanes;
  const rows = rowsPerSlot ?? groups * Math.max(1, Math.ceil(BT / (TARGET_SLOTS * groups)));
  if (!(Number.isInteger(rows) && rows >= 1)) throw new Error(`norm: rowsPerSlot=${rows} must be an integer >= 1`);
  return { lanes, rowsPerSlot: rows, slots: Math.ceil(BT / rows) };
}

/** Checks that each operand holds its (BT, C), (BT) or (C) floats. */
function checkOperands(kernel: string, BT: number, C: number, rows: Record<string, GpuTensor>, perRow: Record<string, GpuTensor>, columns: Record<string, GpuTensor>): void {
  for (const [name, t] of Object.entries(rows)) assertHolds(kernel, name, t, BT * C, { BT, C });
  for (const [name, t] of Object.entries(perRow)) assertHolds(kernel, name, t, BT, { BT });
  for (const [name, t] of Object.entries(columns)) assertHolds(kernel, name, t, C, { C });
}

function normUniform(BT: number, C: number, centered: boolean, eps: number, l: NormLayout): ArrayBuffer {
  return packUniform([BT, C, centered ? 1 : 0, eps, l.lanes, l.rowsPerSlot, l.slots], new Set([3]));
}

/** y (BT,C) = norm(x) * gain; mean, rstd (BT) saved (mean = 0 for RMSNorm). */
export function normForward(
  gpu: Gpu, y: GpuTensor, mean: GpuTensor, rstd: GpuTensor, x: GpuTensor, gain: GpuTensor,
  BT: number, C: number, centered: boolean, eps: number,
): Dispatch {
  const layout = normLayout(BT, C);
  checkOperands('norm_forward', BT, C, { y, x }, { mean, rstd }, { gain });
  return makeDispatch(gpu, {
    kernel: normForwardKernel,
    buffers: [y, mean, rstd, x, gain],
    uniform: normUniform(BT, C, centered, eps, layout),
    workgroups: grid1d(gpu, BT, WG / layout.lanes),
  });
}

export interface NormBackwardOptions {
  /** Scratch for the dgain partials, at least normBackwardScratchBytes(BT, C, rowsPerSlot); allocated if absent. */
  scratch?: GPUBuffer;
  /** Consecutive rows per workgroup and partial row (tests force small values); default about BT / 512. */
  rowsPerSlot?: number;
}

export function normBackwardScratchBytes(BT: number, C: number, rowsPerSlot?: number): number {
  return normLayout(BT, C, rowsPerSlot).slots * C * 4;
}

/** dx (BT,C) += d norm; dgain (C) overwritten. Two dispatches: rows + per-slot partials, then the column sums. */
export function normBackward(
  gpu: Gpu, dx: GpuTensor, dgain: GpuTensor, dy: GpuTensor, x: GpuTensor, gain: GpuTensor, mean: GpuTensor,
  rstd: GpuTensor, BT: number, C: number, centered: boolean, options: NormBackwardOptions = {},
): Dispatch[] {
  const layout = normLayout(BT, C, options.rowsPerSlot);
  checkOperands('norm_backward', BT, C, { dx, dy, x }, { mean, rstd }, { dgain, gain });
  const bytes = layout.slots * C * 4;
  const scratch = options.scratch ?? createBuffer(gpu, 'norm_backward:partials', bytes);
  if (scratch.size < bytes) throw new Error(`norm_backward: scratch of ${scratch.size} bytes, needs ${bytes}`);
  // eps is not needed by the backward (rstd is saved); the uniform layout is shared with the forward.
  const uniform = normUniform(BT, C, centered, 0, layout);
  const rows = makeDispatch(gpu, {
    kernel: normBackwardKernel,
    buffers: [dx, scratch, dy, x, gain, mean, rstd],
    uniform,
    workgroups: grid1d(gpu, layout.slots, 1),
  });
  if (!options.scratch) rows.owns.push(scratch); // made here: it goes with the dispatches
  const columns = makeDispatch(gpu, {
    kernel: normBackwardDgainKernel,
    buffers: [dgain, scratch],
    uniform,
    workgroups: grid1d(gpu, C, DGAIN_COLS),
  });
  return [rows, columns];
}
