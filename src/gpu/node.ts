// Node (tests, CLI, benchmarks): WebGPU from the npm `webgpu` package (Dawn). Uses the machine's GPU driver
// when there is one, else SwiftShader's Vulkan driver from Debian's `chromium` package, else fails with the fix.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { acquireGpu, NoAdapterError, requestLabAdapter, type Gpu } from './adapter';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const NO_ADAPTER_FIX =
  'install a Vulkan driver for your GPU, or on a machine without a GPU install Debian/Ubuntu\'s `chromium` and ' +
  '`libvulkan1` packages (`apt-get install -y chromium libvulkan1`) so Dawn can use SwiftShader ' +
  `(${SWIFTSHADER_ICD})`;

let installed = false;
/** Dawn instances stay referenced for the life of the process: collecting one under a live device crashes Dawn. */
const instances: GPU[] = [];

function dawn(): GPU {
  const gpu = create([]);
  instances.push(gpu);
  return gpu;
}

function installGlobals(): void {
  if (installed) return;
  Object.assign(globalThis, globals);
  installed = true;
}

/**
 * Finds an adapter: whatever Vulkan driver the environment names (a GPU server's run script sets
 * VK_ICD_FILENAMES to the NVIDIA driver), else SwiftShader. `source` says which.
 * PLASTICITY_ADAPTER=swiftshader forces the software adapter.
 */
export async function findNodeAdapter(): Promise<{ adapter: GPUAdapter; source: 'system' | 'swiftshader' }> {
  installGlobals();
  if (process.env.PLASTICITY_ADAPTER !== 'swiftshader' && process.env.VK_ICD_FILENAMES !== SWIFTSHADER_ICD) {
    const adapter = await requestLabAdapter(dawn());
    if (adapter) return { adapter, source: 'system' };
  }
  if (!existsSync(SWIFTSHADER_ICD)) throw new NoAdapterError(`Dawn found no Vulkan driver; ${NO_ADAPTER_FIX}`);
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const adapter = await requestLabAdapter(dawn());
  if (!adapter) throw new NoAdapterError(`SwiftShader did not start (is libvulkan1 installed?); ${NO_ADAPTER_FIX}`);
  return { adapter, source: 'swiftshader' };
}

export async function createNodeGpu(label = 'plasticity-lab-node'): Promise<Gpu> {
  const { adapter } = await findNodeAdapter();
  return acquireGpu(adapter, label);
}
