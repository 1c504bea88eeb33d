// GPU wrappers for shaders/rope.wgsl. Same names and argument order as rope.ref.ts.
import code from '../../shaders/rope.wgsl?raw';
import type { Gpu } from '../gpu/adapter';
import { packUniform, uploadBuffer } from '../gpu/buffers';
import { assertHolds, grid1d, makeDispatch, type Dispatch, type GpuTensor } from '../gpu/dispatch';
import type { KernelSource } from '../gpu/pipelines';

export const ropeForwardKernel: KernelSource = { name: 'rope_forward', code, entryPoint: 'rope_forward' };
export const ropeBackwardKernel: KernelSource = { name: 'rope_backward', code, entryPoint: 'rope_backward' };

/** Every pipeline the rope wrappers use (default overrides): prepare these before building dispatches. */
export const ropeKernels: KernelSource[] = [ropeForwardKernel, ropeBackwardKernel];

const WG = 256;

/** (cos, sin) of t * theta^(-2i/HS) for t < T, i < HS/2, computed in float64: (T, HS/2, 2). */
export function ropeTable(T: number, HS: number, theta: number): Float32Array {
  const half = HS / 2;
  const table = new Float32Array(T * half * 2);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * theta ** ((-2 * i) / HS);
      table[(t * half + i) * 2] = Math.cos(angle);
      table[(t * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return table;
}

/** One table buffer per device and (T, HS, theta), shared by every layer's forward and backward dispatch. */
const tables = new WeakMap<Gpu, Map<string, GPUBuffer>>();

function tableBuffer(gpu: Gpu, T: number, HS: number, theta: number): GPUBuffer {
  let byShape = tables.get(gpu);
  if (!byShape) tables.set(gpu, (byShape = new Map()));
  const key = `${T},${HS},${theta}`;
  let buffer = byShape.get(key);
  if (!buffer) {
    buffer = uploadBuffer(gpu, `rope:table(T=${T},HS=${HS},theta=${theta})`, ropeTable(T, HS, theta));
    byShape.set(key, buffer);
  }
  return buffer;
}

function ropeDispatch(
  gpu: Gpu, kernel: KernelSource, out: GpuTensor, inp: GpuTensor,
  B: number, T: number, NH: number, HS: number, theta: number,
): Dispatch {
  if (!(HS >= 2 && HS % 2 === 0)) throw new Error(`${kernel.name}: head size HS=${HS} must be even`);
  if (!(B >= 1 && T >= 1 && NH >= 1)) throw new Error(`${kernel.name}: B=${B} T=${T} NH=${NH} must be >= 1`);
  const [outName, inpName] = kernel === ropeForwardKernel ? ['qkvr', 'qkv'] : ['dqkv', 'dqkvr'];
  assertHolds(kernel.name, outName, out, B * T * 3 * NH * HS, { B, T, NH, HS });
  assertHolds(kernel.name, inpName, inp, B * T * 3 * NH * HS, { B, T, NH, HS });
  return makeDispatch(gpu, {
    kernel,
    buffers: [out, inp, tableBuffer(gpu, T, HS, theta)],
    uniform: packUniform([B, T, NH, HS]),
    workgroups: grid1d(gpu, (B * T * 3 * NH * HS) / 2, WG),
  });
}

/** qkvr (B,T,3,NH,HS) = qkv with q and k rotated (HF Llama rotate_half), v copied. */
export function ropeForward(
  gpu: Gpu, qkvr: GpuTensor, qkv: GpuTensor, B: number, T: number, NH: number, HS: number, theta = 10000,
): Dispatch {
  return ropeDispatch(gpu, ropeForwardKernel, qkvr, qkv, B, T, NH, HS, theta);
}

/** dqkv (B,T,3,NH,HS) = the transpose of ropeForward applied to dqkvr (rotation by -angle), dv copied. */
export function ropeBackward(
  gpu: Gpu, dqkv: GpuTensor, dqkvr: GpuTensor, B: number, T: number, NH: number, HS: number, theta = 10000,
): Dispatch {
  return ropeDispatch(gpu, ropeBackwardKernel, dqkv, dqkvr, B, T, NH, HS, theta);
}
