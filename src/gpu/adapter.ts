// Adapter and device acquisition, the same in the page, a worker and Node: callers pass in the `GPU` object
// (navigator.gpu, or the npm `webgpu` package's `create()`).
import { GpuFaults, watchDevice } from './faults';
import { PipelineCache } from './pipelines';

/** Limits the lab asks for, each up to what the adapter allows. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName, 'shader-f16'];

export type LabLimits = Record<(typeof WANTED_LIMITS)[number], number>;

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: LabLimits;
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterSummary;
  hasTimestamps: boolean;
  hasSubgroups: boolean;
  faults: GpuFaults;
  pipelines: PipelineCache;
}

export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(`No WebGPU adapter: ${detail}`);
    this.name = 'NoAdapterError';
  }
}

/** One line naming the adapter, e.g. `google / swiftshader (SwiftShader driver)`. */
export function describeAdapter(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
  const extra = [a.device, a.description].filter(Boolean).join(', ');
  return extra ? `${name} (${extra})` : name;
}

export async function requestLabAdapter(gpu: GPU): Promise<GPUAdapter | null> {
  return gpu.requestAdapter({ powerPreference: 'high-performance' });
}

export async function acquireGpu(adapter: GPUAdapter, label = 'plasticity-lab'): Promise<Gpu> {
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ label, requiredFeatures, requiredLimits });
  const faults = new GpuFaults();
  watchDevice(device, faults);
  const info = adapter.info;
  const summary: AdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...adapter.features].sort(),
    limits: Object.fromEntries(WANTED_LIMITS.map((n) => [n, device.limits[n]])) as LabLimits,
  };
  return {
    device,
    adapter: summary,
    hasTimestamps: device.features.has('timestamp-query'),
    hasSubgroups: device.features.has('subgroups' as GPUFeatureName),
    faults,
    pipelines: new PipelineCache(device, faults),
  };
}
