// Buffer helpers: every buffer is labelled; storage buffers can be copied both ways for tests and readback.
import type { Gpu } from './adapter';

// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST as literals: this module may load in Node before the `webgpu`
// package installs the GPU* globals.
export const STORAGE = 0x80 | 0x04 | 0x08;

export type TypedData = Float32Array | Uint32Array | Int32Array;

/** Sizes are rounded up to 4 bytes (WebGPU's copy granularity); a zero size becomes 4. */
export function createBuffer(gpu: Gpu, label: string, byteLength: number, usage = STORAGE): GPUBuffer {
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  return gpu.device.createBuffer({ label, size, usage });
}

export function uploadBuffer(gpu: Gpu, label: string, data: TypedData, usage = STORAGE): GPUBuffer {
  const buffer = createBuffer(gpu, label, data.byteLength, usage | GPUBufferUsage.COPY_DST);
  gpu.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** A uniform buffer holding a kernel's sizes/hyperparameters (u32/i32/f32 words, padded to 16 bytes). */
export function createUniform(gpu: Gpu, label: string, words: ArrayBuffer): GPUBuffer {
  const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
  const buffer = gpu.device.createBuffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  gpu.device.queue.writeBuffer(buffer, 0, words);
  return buffer;
}

/** Packs numbers into 32-bit uniform words: integers as u32, values listed in `floats` as f32. */
export function packUniform(values: number[], floats: ReadonlySet<number> = new Set()): ArrayBuffer {
  const words = new ArrayBuffer(values.length * 4);
  const view = new DataView(words);
  values.forEach((v, i) => (floats.has(i) ? view.setFloat32(i * 4, v, true) : view.setUint32(i * 4, v >>> 0, true)));
  return words;
}

/** Fills a buffer with NaN so a kernel that forgets to write an element fails its test. */
export function poisonBuffer(gpu: Gpu, buffer: GPUBuffer): void {
  gpu.device.queue.writeBuffer(buffer, 0, new Float32Array(buffer.size / 4).fill(Number.NaN));
}
