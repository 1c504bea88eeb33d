// GPU memory a training run needs, buffer by buffer, mirroring WebGpuEngine's allocations (webgpu.ts and
// webgpuPlan.ts): parameters, gradients and both AdamW moments (4 floats per parameter); per batch shape
// (B, T) the activations (activations.ts, the one owner of their sizes) and the workspace (input buffer and
// its STEPS_PER_SUBMIT-slot ring, matmul split-K partials, norm / embedding / loss-sum scratch); the engine's
// result ring and gradient-norm scratch. Uniform buffers (bytes each) are left out. Every (B, T) the engine
// sees gets its own plan: an evaluation batch of another B costs a second set of activations.
//
// Checked before a run starts against the device's limits (the largest single buffer against maxBufferSize,
// the largest bound buffer against maxStorageBufferBindingSize) and an optional total budget, with a message
// that says what to change.
import { layerActivationSizes, modelActivationSizes } from '../engine/activations';
import { STEPS_PER_SUBMIT } from '../engine/webgpu';
import { inputLayout } from '../engine/webgpuPlan';
import { embeddingBackwardScratchBytes } from '../kernels/embedding';
import { matmulDims, matmulPlanFor, type MatmulMode } from '../kernels/matmul';
import { normBackwardScratchBytes } from '../kernels/norm';
import { reducePlan } from '../kernels/reduce';
import type { ModelConfig } from '../model/config';
import { paramTable } from '../model/params';

export interface BatchShape {
  B: number;
  T: number;
}

type Part = 'parameters' | 'gradients' | 'moments' | 'activations' | 'workspace';

interface BufferEntry {
  name: string;
  bytes: number;
  part: Part;
  /** Bound to a shader as a whole (the binding-size limit applies); the input ring is only copied from. */
  bound: boolean;
}

export interface MemoryEstimate {
  shapes: BatchShape[];
  /** Bytes by part. */
  parameters: number;
  gradients: number;
  moments: number;
  activations: number;
  workspace: number;
  total: number;
  largestBuffer: { name: string; bytes: number };
  largestBoundBuffer: { name: string; bytes: number };
}

/** createBuffer's rounding: up to 4 bytes, at least 4. */
const allocated = (bytes: number) => Math.max(4, Math.ceil(bytes / 4) * 4);

/** Split-K partials of every product of one (B, T) plan: y = x w^T for qkv, wo, gate|up, down and the head. */
function matmulPartials(cfg: ModelConfig, BT: number): BufferEntry[] {
  const { C, F, V, L } = cfg;
  const products: Array<[string, number, number, number, number]> = [
    ['wqkv', BT, C, 3 * C, L], ['wo', BT, C, C, L], ['wgu', BT, C, 2 * F, L], ['wdown', BT, F, C, L], ['wlm', BT, C, V, 1],
  ];
  const out: BufferEntry[] = [];
  for (const [name, M, K, N, times] of products) {
    for (const mode of ['forward', 'backward_input', 'backward_weight'] as MatmulMode[]) {
      const { P, Q, R } = matmulDims(mode, M, K, N);
      const { splits } = matmulPlanFor(mode, P, Q, R);
      if (splits > 1) for (let i = 0; i < times; i++) out.push({ name: `matmul_${mode}:partials (${name})`, bytes: splits * P * Q * 4, part: 'workspace', bound: true });
    }
  }
  return out;
}

/** Every buffer of one shape plan (webgpuPlan.ts buildShapePlan). */
function planBuffers(cfg: ModelConfig, { B, T }: BatchShape): BufferEntry[] {
  const BT = B * T;
  const tag = `(${B}x${T})`;
  const act = (name: string, floats: number): BufferEntry => ({ name: `${name}${tag}`, bytes: allocated(floats * 4), part: 'activations', bound: true });
  const work = (name: string, bytes: number, bound = true): BufferEntry => ({ name: `${name}${tag}`, bytes: allocated(bytes), part: 'workspace', bound });
  const io = inputLayout(BT);
  const list: BufferEntry[] = [work('inputs', io.bytes), work('input_ring', STEPS_PER_SUBMIT * io.bytes, false)];
  for (let l = 0; l <= cfg.L; l++) list.push(act(`res${l}`, BT * cfg.C));
  for (let l = 0; l < cfg.L; l++) for (const [name, n] of Object.entries(layerActivationSizes(B, T, cfg))) list.push(act(`l${l}.${name}`, n));
  for (const [name, n] of Object.entries(modelActivationSizes(B, T, cfg))) list.push(act(name, n));
  list.push(
    work('norm_backward:scratch', normBackwardScratchBytes(BT, cfg.C)),
    work('embedding_backward:scratch', embeddingBackwardScratchBytes(BT, cfg.V, cfg.C)),
    work('reduce_sum:partials', 4 * reducePlan(BT).P),
    ...matmulPartials(cfg, BT),
  );
  return list;
}

/** Buffers the engine holds whatever the batch: the flat parameter-sized four, results, grad-norm scratch. */
function engineBuffers(cfg: ModelConfig): BufferEntry[] {
  const bytes = paramTable(cfg).total * 4;
  return [
    { name: 'params', bytes, part: 'parameters', bound: true },
    { name: 'grads', bytes, part: 'gradients', bound: true },
    { name: 'adam_m', bytes, part: 'moments', bound: true },
    { name: 'adam_v', bytes, part: 'moments', bound: true },
    { name: 'step_results', bytes: 2 * STEPS_PER_SUBMIT * 4, part: 'workspace', bound: false },
    { name: 'reduce_norm:partials', bytes: allocated(4 * reducePlan(paramTable(cfg).total).P), part: 'workspace', bound: true },
  ];
}

function largest(list: readonly BufferEntry[]): { name: string; bytes: number } {
  const top = list.reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: '(none)', bytes: 0, part: 'workspace', bound: true });
  return { name: top.name, bytes: top.bytes };
}

/** GPU bytes for training `cfg` on the given batch shapes (the training shape first, then any other). */
export function estimateTrainingMemory(cfg: ModelConfig, shapes: readonly BatchShape[]): MemoryEstimate {
  const unique = shapes.filter((s, i) => shapes.findIndex((o) => o.B === s.B && o.T === s.T) === i);
  const list = [...engineBuffers(cfg), ...unique.flatMap((s) => planBuffers(cfg, s))];
  const sum = (part: Part) => list.filter((b) => b.part === part).reduce((n, b) => n + b.bytes, 0);
  const parts = { parameters: sum('parameters'), gradients: sum('gradients'), moments: sum('moments'), activations: sum('activations'), workspace: sum('workspace') };
  return {
    shapes: unique.map((s) => ({ ...s })),
    ...parts,
    total: Object.values(parts).reduce((a, b) => a + b, 0),
    largestBuffer: largest(list),
    largestBoundBuffer: largest(list.filter((b) => b.bound)),
  };
}

export interface MemoryLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Optional cap on the total (e.g. a share of the device's memory); none: only per-buffer limits. */
  budgetBytes?: number;
}

export interface MemoryCheck {
  fits: boolean;
  estimate: MemoryEstimate;
  /** What is over, one line each. */
  problems: string[];
  /** The largest training batch B (T and the other shapes kept) that fits; 0 if none does. */
  maxFittingBatch: number;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function problemsOf(e: MemoryEstimate, limits: MemoryLimits): string[] {
  const problems: string[] = [];
  if (e.largestBuffer.bytes > limits.maxBufferSize) {
    problems.push(`buffer ${e.largestBuffer.name} needs ${mb(e.largestBuffer.bytes)}, above maxBufferSize ${mb(limits.maxBufferSize)}`);
  }
  if (e.largestBoundBuffer.bytes > limits.maxStorageBufferBindingSize) {
    problems.push(`buffer ${e.largestBoundBuffer.name} needs ${mb(e.largestBoundBuffer.bytes)}, above maxStorageBufferBindingSize ${mb(limits.maxStorageBufferBindingSize)}`);
  }
  if (limits.budgetBytes !== undefined && e.total > limits.budgetBytes) {
    problems.push(`the run needs ${mb(e.total)} in all, above the budget of ${mb(limits.budgetBytes)}`);
  }
  return problems;
}

/**
 * The largest batch b such that the shapes at `adjustable` (indices into `shapes`) capped at B <= b fit, the
 * other shapes kept; 0 if none does. For shapes that already fit: the largest of their B.
 */
export function maxFittingBatchOf(cfg: ModelConfig, shapes: readonly BatchShape[], limits: MemoryLimits, adjustable: readonly number[]): number {
  const fitsAt = (b: number) => problemsOf(estimateTrainingMemory(cfg, shapes.map((s, i) => (adjustable.includes(i) ? { ...s, B: Math.min(s.B, b) } : s))), limits).length === 0;
  let [lo, hi] = [0, Math.max(...adjustable.map((i) => shapes[i].B))];
  if (fitsAt(hi)) return hi;
  while (hi - lo > 1) { // invariant: lo = 0 or fitsAt(lo); !fitsAt(hi)
    const mid = Math.floor((lo + hi) / 2);
    if (fitsAt(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Checks a run's estimate against device limits; shapes[0] is the training batch. */
export function checkTrainingMemory(cfg: ModelConfig, shapes: readonly BatchShape[], limits: MemoryLimits): MemoryCheck {
  const estimate = estimateTrainingMemory(cfg, shapes);
  const problems = problemsOf(estimate, limits);
  const maxFittingBatch = problems.length ? maxFittingBatchOf(cfg, shapes, limits, [0]) : shapes[0].B;
  return { fits: problems.length === 0, estimate, problems, maxFittingBatch };
}

export class MemoryFitError extends Error {
  constructor(readonly check: MemoryCheck) {
    const { B, T } = check.estimate.shapes[0];
    const advice = check.maxFittingBatch > 0
      ? `Use a smaller batch (B <= ${check.maxFittingBatch} fits at T=${T}) or a smaller preset.`
      : 'No training batch size fits (the parameters or another batch shape are over): use a smaller preset (fewer parameters, shorter context) or fewer evaluation rows.';
    super(`Training at B=${B}, T=${T} does not fit this device: ${check.problems.join('; ')}. ${advice}`);
    this.name = 'MemoryFitError';
  }
}

/** Throws MemoryFitError (what is over, and what to change) unless the run fits. */
export function assertTrainingMemoryFits(cfg: ModelConfig, shapes: readonly BatchShape[], limits: MemoryLimits): MemoryEstimate {
  const check = checkTrainingMemory(cfg, shapes, limits);
  if (!check.fits) throw new MemoryFitError(check);
  return check.estimate;
}
