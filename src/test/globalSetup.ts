// Runs once before the Node test suite: finds the adapter the GPU tests will use and prints it, or fails
// the whole run with the fix. (GPU tests never skip.)
import { acquireGpu, describeAdapter } from '../gpu/adapter';
import { findNodeAdapter } from '../gpu/node';

export default async function setup(): Promise<void> {
  const { adapter, source } = await findNodeAdapter();
  const gpu = await acquireGpu(adapter, 'probe');
  const line = `WebGPU adapter for GPU tests: ${describeAdapter(gpu.adapter)} [${source}]`;
  console.log(line);
  process.env.PLASTICITY_TEST_ADAPTER = line;
  gpu.device.destroy();
}
