// Readback and timing release their GPU objects when a read fails (a lost device rejects mapAsync), on a fake
// device: the real one cannot be made to reject a map on demand.
import { describe, expect, it } from 'vitest';
import type { Gpu } from './adapter';
import { readBuffer } from './readback';
import { timeDispatches } from './timing';

function fakeGpu() {
  const destroyed: string[] = [];
  const encoder = {
    copyBufferToBuffer() {},
    resolveQuerySet() {},
    beginComputePass: () => ({ setPipeline() {}, setBindGroup() {}, dispatchWorkgroups() {}, end() {} }),
    finish: () => ({}),
  };
  const device = {
    createBuffer: (d: GPUBufferDescriptor) => ({
      label: d.label,
      size: d.size,
      mapAsync: () => Promise.reject(new DOMException('Device is lost', 'OperationError')),
      destroy: () => destroyed.push(d.label!),
    }),
    createQuerySet: (d: GPUQuerySetDescriptor) => ({ destroy: () => destroyed.push(`querySet:${d.label}`) }),
    createCommandEncoder: () => encoder,
    queue: { submit() {}, onSubmittedWorkDone: async () => {} },
  };
  return { gpu: { device, hasTimestamps: true } as unknown as Gpu, destroyed };
}

describe('readback and timing on a failed map', () => {
  it('readBuffer destroys its staging buffer when mapAsync rejects', async () => {
    const { gpu, destroyed } = fakeGpu();
    const source = { label: 'params', size: 16 } as GPUBuffer;
    await expect(readBuffer(gpu, source)).rejects.toThrow(/Device is lost/);
    expect(destroyed).toEqual(['readback:params']);
  });

  it('timeDispatches releases its query set and resolve buffer when a read fails', async () => {
    const { gpu, destroyed } = fakeGpu();
    await expect(timeDispatches(gpu, [], 3)).rejects.toThrow(/Device is lost/);
    expect(destroyed.sort()).toEqual(['querySet:timing', 'readback:timing:resolve', 'timing:resolve']);
  });
});
