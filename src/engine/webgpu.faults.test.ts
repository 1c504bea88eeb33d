// An allocation the device refuses (out of memory, over a limit) fails the run with an error that names the
// allocation, not with the first object it broke ("Invalid BindGroup ... due to a previous error").
import { afterEach, describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/adapter';
import { PRESETS } from '../model/config';
import { initParams } from '../model/init';
import { testGpu } from '../test/gpu';
import { WebGpuEngine } from './webgpu';

const cfg = PRESETS.tiny.model;
let restore: (() => void) | undefined;

/** Makes the device's createBuffer ask for more than maxBufferSize for buffers whose label starts with `prefix`. */
function overLimit(gpu: Gpu, prefix: string): void {
  const device = gpu.device;
  const original = device.createBuffer.bind(device);
  device.createBuffer = (d: GPUBufferDescriptor) => (d.label?.startsWith(prefix) ? original({ ...d, size: device.limits.maxBufferSize + 4 }) : original(d));
  restore = () => void (device.createBuffer = original);
}

afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('WebGPU engine allocation failures', () => {
  it("a shape plan's buffer over the limit rejects the step with the buffer's name and the reason", async () => {
    const gpu = await testGpu();
    const engine = await WebGpuEngine.create(gpu, cfg, { maxTokens: 8 * cfg.T });
    await engine.writeParams(initParams(engine.table, cfg, 1));
    overLimit(gpu, 'l0.gu(');
    const [B, T] = [2, cfg.T];
    const batch = { B, T, tokens: new Uint8Array(B * T).fill(1), targets: new Uint8Array(B * T).fill(2), weights: new Float32Array(B * T).fill(1 / (B * T)) };
    const error = await engine.forward(batch).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/^GPU validation error in "l0\.gu\(2x16\)": .*exceeds the max buffer size/);
    engine.dispose();
  });

  it('a parameter-sized buffer over the limit rejects WebGpuEngine.create, naming the buffer', async () => {
    const gpu = await testGpu();
    overLimit(gpu, 'adam_m');
    await expect(WebGpuEngine.create(gpu, cfg, { maxTokens: 8 * cfg.T })).rejects.toThrow(/^GPU validation error in "adam_m": .*exceeds the max buffer size/);
    expect(gpu.faults.list.at(-1)).toMatchObject({ kind: 'validation', label: 'adam_m' });
  });
});
