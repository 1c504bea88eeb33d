// GPU state for the page: the adapter the device panel shows, faults routed from src/gpu/faults.ts (page and
// worker), and the self-test. Actions live next to the state (zustand slice).
import type { StateCreator } from 'zustand';
import type { AdapterSummary } from '../gpu/adapter';
import { createBrowserGpu, WebGpuUnavailableError } from '../gpu/browser';
import type { GpuFault } from '../gpu/faults';
import type { SelfTestResult } from '../kernels/selftest';
import { gpuWorker } from '../worker/client';
import type { WorkerEvent } from '../worker/protocol';

export type GpuStatus = 'idle' | 'acquiring' | 'ready' | 'unavailable' | 'error';
export type SelfTestStatus = 'idle' | 'running' | 'passed' | 'failed' | 'error';

export interface GpuSlice {
  gpuStatus: GpuStatus;
  adapter?: AdapterSummary;
  gpuError?: string;
  faults: GpuFault[];
  selfTestStatus: SelfTestStatus;
  selfTestResults: SelfTestResult[];
  selfTestError?: string;
  connectGpu: () => Promise<void>;
  runSelfTest: () => Promise<void>;
}

let faultsWired = false;
let pageReconnects = 0;
const MAX_PAGE_RECONNECTS = 3;

export const createGpuSlice: StateCreator<GpuSlice> = (set, get) => {
  const addFault = (fault: GpuFault) => set({ faults: [...get().faults, fault] });
  /** Faults of the worker's device (where training runs) join the page's own. */
  const wireWorkerFaults = () => {
    if (faultsWired) return;
    gpuWorker().subscribe((event) => event.type === 'fault' && addFault(event.fault));
    faultsWired = true;
  };
  return {
    gpuStatus: 'idle',
    faults: [],
    selfTestStatus: 'idle',
    selfTestResults: [],

    async connectGpu() {
      if (get().gpuStatus === 'acquiring' || get().gpuStatus === 'ready') return;
      set({ gpuStatus: 'acquiring', gpuError: undefined });
      wireWorkerFaults();
      try {
        const gpu = await createBrowserGpu('plasticity-lab-page');
        gpu.faults.subscribe(addFault);
        // A lost page device (a driver reset loses every device of the tab) is replaced, a few times at most:
        // training runs in the worker, which recovers its own, but Train waits for this one.
        void gpu.device.lost.then((info) => {
          const again = info.reason !== 'destroyed' && pageReconnects++ < MAX_PAGE_RECONNECTS;
          set({ gpuStatus: again ? 'idle' : 'error', gpuError: `GPU device lost: ${info.message}` });
          if (again) void get().connectGpu();
        });
        set({ gpuStatus: 'ready', adapter: gpu.adapter });
      } catch (error) {
        const unavailable = error instanceof WebGpuUnavailableError || (error as Error).name === 'NoAdapterError';
        set({ gpuStatus: unavailable ? 'unavailable' : 'error', gpuError: String((error as Error).message ?? error) });
      }
    },

    async runSelfTest() {
      set({ selfTestStatus: 'running', selfTestResults: [], selfTestError: undefined });
      try {
        wireWorkerFaults();
        const done = await gpuWorker().request<Extract<WorkerEvent, { type: 'selftest-done' }>>((id) => ({ type: 'selftest', id }));
        const passed = done.results.length > 0 && done.results.every((r) => r.passed);
        set({ selfTestStatus: passed ? 'passed' : 'failed', selfTestResults: done.results });
      } catch (error) {
        set({ selfTestStatus: 'error', selfTestError: String((error as Error).message ?? error) });
      }
    },
  };
};
