// Readback: copy to a MAP_READ staging buffer and map it. Never used inside a training step.
import type { Gpu } from './adapter';

export async function readBuffer(gpu: Gpu, source: GPUBuffer, byteLength = source.size, byteOffset = 0): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = gpu.device.createBuffer({
    label: `readback:${source.label}`,
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = gpu.device.createCommandEncoder({ label: `readback:${source.label}` });
    encoder.copyBufferToBuffer(source, byteOffset, staging, 0, size);
    gpu.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0, byteLength);
  } finally {
    staging.destroy(); // also when mapAsync rejects (a lost device, an invalid copy): destroy unmaps
  }
}

export async function readF32(gpu: Gpu, source: GPUBuffer, length = source.size / 4, offset = 0): Promise<Float32Array> {
  return new Float32Array(await readBuffer(gpu, source, length * 4, offset * 4));
}

export async function readU32(gpu: Gpu, source: GPUBuffer, length = source.size / 4, offset = 0): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(gpu, source, length * 4, offset * 4));
}
