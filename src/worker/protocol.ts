// Messages between the page and the GPU worker. The worker hosts all GPU work so the page stays responsive.
import type { AdapterSummary } from '../gpu/adapter';
import type { GpuFault } from '../gpu/faults';
import type { SelfTestResult } from '../kernels/selftest';

export type WorkerRequest = { type: 'selftest'; id: number };

export type WorkerEvent =
  | { type: 'selftest-done'; id: number; adapter: AdapterSummary; results: SelfTestResult[] }
  | { type: 'fault'; fault: GpuFault }
  | { type: 'error'; id: number; message: string };
