// The dedicated worker that owns a GPU device (the same src/gpu code as the page and Node).
import type { Gpu } from '../gpu/adapter';
import { createBrowserGpu } from '../gpu/browser';
import { runSelfTests } from '../kernels/selftest';
import type { WorkerEvent, WorkerRequest } from './protocol';

let gpu: Promise<Gpu> | undefined;

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

async function workerGpu(): Promise<Gpu> {
  gpu ??= createBrowserGpu('plasticity-lab-worker').then((g) => {
    g.faults.subscribe((fault) => post({ type: 'fault', fault }));
    void g.device.lost.then(() => (gpu = undefined));
    return g;
  });
  return gpu;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'selftest') {
      const g = await workerGpu();
      const results = await runSelfTests(g);
      post({ type: 'selftest-done', id: request.id, adapter: g.adapter, results });
    }
  } catch (error) {
    gpu = undefined;
    post({ type: 'error', id: request.id, message: String((error as Error).message ?? error) });
  }
};
