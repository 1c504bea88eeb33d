// The page's handle on the GPU worker: one worker, request/response by id, faults streamed to a listener.
import type { GpuFault } from '../gpu/faults';
import type { WorkerEvent, WorkerRequest } from './protocol';

type Pending = { resolve: (event: WorkerEvent) => void; reject: (error: Error) => void };

export class GpuWorkerClient {
  private worker = new Worker(new URL('./gpu.worker.ts', import.meta.url), { type: 'module', name: 'gpu-worker' });
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(onFault: (fault: GpuFault) => void) {
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => {
      const event = message.data;
      if (event.type === 'fault') return onFault(event.fault);
      const waiting = this.pending.get(event.id);
      if (!waiting) return;
      this.pending.delete(event.id);
      if (event.type === 'error') waiting.reject(new Error(event.message));
      else waiting.resolve(event);
    };
    this.worker.onerror = (event) => {
      const error = new Error(`GPU worker crashed: ${event.message}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
  }

  request<T extends WorkerEvent>(make: (id: number) => WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: WorkerEvent) => void, reject });
      this.worker.postMessage(make(id));
    });
  }
}
