// A dispatch is data: pipeline + bind group + grid, built once and replayed every step. Kernel wrappers
// return Dispatches; engines concatenate them into a flat list and encode that list into one compute pass.
import type { Gpu } from './adapter';
import { createUniform } from './buffers';
import type { KernelSource, Overrides } from './pipelines';

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  /** Buffers made for this dispatch alone (its uniform, a matmul's split-K partials): whoever keeps the
   *  dispatch counts them as its memory and destroys them with it. */
  owns: GPUBuffer[];
}

/** A whole buffer, or a range of one (a parameter tensor inside the flat parameter buffer). */
export type GpuTensor = GPUBuffer | GPUBufferBinding;

function isWholeBuffer(t: GpuTensor): t is GPUBuffer {
  return typeof (t as GPUBuffer).mapAsync === 'function';
}

export function bindingOf(t: GpuTensor): GPUBufferBinding {
  return isWholeBuffer(t) ? { buffer: t } : t;
}

/** Bytes a tensor's binding covers: its range's size, or the buffer from its offset to the end. */
export function bindingBytes(t: GpuTensor): number {
  const binding = bindingOf(t);
  return binding.size ?? binding.buffer.size - (binding.offset ?? 0);
}

/**
 * Throws unless `t` holds `count` 4-byte words (f32, or u32 with unit 'u32s'). Under robust buffer access a
 * short binding is no error: reads are clamped and writes dropped, so wrappers check every operand up front.
 * `shape` names the sizes `count` comes from, for the message.
 */
export function assertHolds(kernel: string, name: string, t: GpuTensor, count: number, shape: Record<string, number>, unit = 'floats'): void {
  const holds = Math.floor(bindingBytes(t) / 4);
  if (holds >= count) return;
  const dims = Object.entries(shape).map(([k, v]) => `${k}=${v}`).join(' ');
  throw new RangeError(`${kernel}: ${name} holds ${holds} ${unit}, the shape needs ${count} (${dims})`);
}

export interface DispatchSpec {
  kernel: KernelSource;
  overrides?: Overrides;
  /** Storage buffers in binding order: outputs first, then inputs (bindings 0..n-1). */
  buffers: GpuTensor[];
  /** Sizes / hyperparameters: a uniform buffer bound after the storage buffers (binding n). */
  uniform?: ArrayBuffer | GPUBuffer;
  workgroups: [number, number?, number?];
  label?: string;
}

/** Binds buffers to a prepared pipeline. The kernel must have been `gpu.pipelines.prepare`d. */
export function makeDispatch(gpu: Gpu, spec: DispatchSpec): Dispatch {
  const pipeline = gpu.pipelines.get(spec.kernel, spec.overrides);
  const label = spec.label ?? spec.kernel.name;
  const entries: GPUBindGroupEntry[] = spec.buffers.map((t, binding) => ({ binding, resource: bindingOf(t) }));
  const owns: GPUBuffer[] = [];
  if (spec.uniform) {
    const buffer = spec.uniform instanceof ArrayBuffer ? createUniform(gpu, `${label}:params`, spec.uniform) : spec.uniform;
    if (buffer !== spec.uniform) owns.push(buffer);
    entries.push({ binding: spec.buffers.length, resource: { buffer } });
  }
  const bindGroup = gpu.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
  const [x, y = 1, z = 1] = spec.workgroups;
  const max = gpu.adapter.limits.maxComputeWorkgroupsPerDimension;
  if (x > max || y > max || z > max) throw new Error(`${label}: grid ${x}x${y}x${z} exceeds ${max} workgroups per dimension`);
  return { label, pipeline, bindGroup, workgroups: [x, y, z], owns };
}

export function encodeDispatches(pass: GPUComputePassEncoder, list: readonly Dispatch[]): void {
  for (const d of list) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}

/** Encodes `list` in one compute pass, submits, and waits for the GPU. For tests and one-off work. */
export async function runDispatches(gpu: Gpu, list: readonly Dispatch[], label = 'run'): Promise<void> {
  const mark = gpu.faults.list.length;
  const encoder = gpu.device.createCommandEncoder({ label });
  const pass = encoder.beginComputePass({ label });
  encodeDispatches(pass, list);
  pass.end();
  gpu.device.queue.submit([encoder.finish()]);
  await gpu.device.queue.onSubmittedWorkDone();
  gpu.faults.throwIfAny(mark);
}

/** Destroys what the dispatches own (their uniforms, split partials, scratch made for them). */
export function releaseDispatches(list: readonly Dispatch[]): void {
  for (const d of list) for (const b of d.owns) b.destroy();
}

/** Runs dispatches made for this one run, then destroys what they own (self-tests, one-off checks). */
export async function runOnce(gpu: Gpu, list: readonly Dispatch[], label = 'run'): Promise<void> {
  try {
    await runDispatches(gpu, list, label);
  } finally {
    releaseDispatches(list);
  }
}

/** Ceil division for workgroup counts. */
export function groups(n: number, size: number): number {
  return Math.ceil(n / size);
}

/** Workgroup grid for N elements in 1-D workgroups of `size`, folded into y past the per-dimension limit. */
export function grid1d(gpu: Gpu, n: number, size: number): [number, number] {
  const total = Math.max(1, groups(n, size));
  const max = gpu.adapter.limits.maxComputeWorkgroupsPerDimension;
  if (total <= max) return [total, 1];
  const y = Math.ceil(total / max);
  return [Math.ceil(total / y), y];
}
