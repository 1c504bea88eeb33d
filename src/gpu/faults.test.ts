// Broken shaders and invalid GPU work surface as labelled errors, never as hangs.
import { describe, expect, it } from 'vitest';
import { createBuffer } from '../gpu/buffers';
import { makeDispatch, runDispatches } from '../gpu/dispatch';
import { KernelCompileError } from '../gpu/pipelines';
import { residualForwardKernel } from '../kernels/residual';
import { testGpu } from '../test/gpu';
import { labelFromMessage, withErrorScope } from './faults';

describe('GPU faults', () => {
  it('a WGSL syntax error rejects with a KernelCompileError naming the kernel and line', async () => {
    const gpu = await testGpu();
    const broken = { name: 'broken_kernel', entryPoint: 'main', code: '@compute @workgroup_size(1)\nfn main( {\n}\n' };
    const error = await gpu.pipelines.prepare(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelCompileError);
    expect((error as Error).message).toMatch(/broken_kernel\.wgsl:2:\d+/);
    expect(gpu.faults.list.at(-1)).toMatchObject({ kind: 'compilation', label: 'broken_kernel' });
  });

  it('a missing entry point rejects with a labelled validation error', async () => {
    const gpu = await testGpu();
    const wrong = { ...residualForwardKernel, name: 'wrong_entry', entryPoint: 'nope' };
    await expect(gpu.pipelines.prepare(wrong)).rejects.toThrow(/wrong_entry/);
  });

  it('binding a buffer that is too small is reported with the kernel label', async () => {
    const gpu = await testGpu();
    await gpu.pipelines.prepare(residualForwardKernel);
    const tiny = createBuffer(gpu, 'tiny', 4, GPUBufferUsage.UNIFORM);
    const dispatch = () =>
      makeDispatch(gpu, { kernel: residualForwardKernel, buffers: [tiny, tiny, tiny], uniform: new ArrayBuffer(4), workgroups: [1] });
    const before = gpu.faults.list.length;
    await expect(runDispatches(gpu, [dispatch()])).rejects.toThrow(/validation error in "residual_forward"/);
    expect(gpu.faults.list.length).toBeGreaterThan(before);
  });

  it('reads labels out of Dawn messages', () => {
    expect(labelFromMessage('Binding size is too small. - While validating [BindGroup "matmul_forward"]')).toBe('matmul_forward');
    expect(labelFromMessage('no label here')).toBe('unlabelled');
    // A create call names the descriptor (label quoted twice), not the device it was called on.
    const create = 'Buffer size (1073741828) exceeds the max buffer size limit (1073741824).\n - While calling [Device "lab"].CreateBuffer([BufferDescriptor ""l0.gu(2x16)""]).';
    expect(labelFromMessage(create)).toBe('l0.gu(2x16)');
    expect(labelFromMessage('[Invalid CommandBuffer from CommandEncoder "train-steps"] is invalid due to a previous error.')).toBe('train-steps');
    expect(labelFromMessage('Device lost. - While calling [Device "lab"].Tick()')).toBe('lab');
  });

  it('withErrorScope: records and throws what its body caused, pops its scopes, and awaits an async body', async () => {
    const gpu = await testGpu();
    const { device, faults } = gpu;
    const tooBig = () => device.createBuffer({ label: 'huge', size: device.limits.maxBufferSize + 4, usage: GPUBufferUsage.STORAGE });
    await expect(withErrorScope(device, faults, 'scope', tooBig)).rejects.toThrow(/validation error in "huge"/);
    // An async body's errors (after its first await) are caught too; a body's own exception still pops the scopes.
    const later = async () => (await Promise.resolve(), tooBig());
    await expect(withErrorScope(device, faults, 'scope', later)).rejects.toThrow(/"huge"/);
    await expect(withErrorScope(device, faults, 'scope', () => Promise.reject(new Error('body failed')))).rejects.toThrow('body failed');
    await expect(withErrorScope(device, faults, 'scope', async () => 7)).resolves.toBe(7);
    // No scope was left pushed: an error now is uncaptured and reaches the fault list.
    const before = faults.list.length;
    tooBig();
    await device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    expect(faults.list.slice(before)).toMatchObject([{ kind: 'validation', label: 'huge' }]);
  });
});
