// Page and worker: WebGPU from navigator.gpu, with a clear explanation per browser where it is missing.
import { acquireGpu, NoAdapterError, requestLabAdapter, type Gpu } from './adapter';

export const BROWSER_ADVICE: { browser: string; advice: string }[] = [
  { browser: 'Chrome', advice: 'WebGPU is on by default since Chrome 113 on Windows, macOS and ChromeOS, and on Linux since Chrome 144; on older Linux builds enable chrome://flags/#enable-unsafe-webgpu and check chrome://gpu. Update Chrome and make sure hardware acceleration is on (Settings > System).' },
  { browser: 'Edge', advice: 'Same engine as Chrome: WebGPU is on by default since Edge 113; update Edge, turn on "Use graphics acceleration" (Settings > System) and check edge://gpu.' },
  { browser: 'Firefox', advice: 'WebGPU ships in Firefox 141+ on Windows and later on macOS/Linux; elsewhere set dom.webgpu.enabled to true in about:config, or use Firefox Nightly.' },
  { browser: 'Safari', advice: 'WebGPU is on by default in Safari 26 (macOS Tahoe, iOS 26); on Safari 17-18 enable it under Develop > Feature Flags > WebGPU.' },
];

export class WebGpuUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WebGpuUnavailableError';
  }
}

export async function createBrowserGpu(label = 'plasticity-lab'): Promise<Gpu> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new WebGpuUnavailableError('This browser does not expose WebGPU (navigator.gpu is missing).');
  const adapter = await requestLabAdapter(gpu);
  if (!adapter) throw new NoAdapterError('the browser exposes WebGPU but returned no adapter (GPU blocklisted or acceleration off).');
  return acquireGpu(adapter, label);
}
