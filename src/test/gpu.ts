// The GPU for Node tests: one device per test file (vitest runs each file in its own fork), released after
// the file (src/test/setup.ts). Never skips: with no adapter the test fails with the fix (src/gpu/node.ts).
import type { Gpu } from '../gpu/adapter';
import { createNodeGpu } from '../gpu/node';

let shared: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  shared ??= createNodeGpu('plasticity-lab-test');
  return shared;
}

export async function releaseTestGpu(): Promise<void> {
  const gpu = await shared;
  shared = undefined;
  gpu?.device.destroy();
}
