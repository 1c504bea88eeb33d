// The page's handle on the GPU worker: one worker per page, request/response by id for requests that
// answer, and every other event (faults, runner events, progress) delivered to subscribers.
import type { WorkerEvent, WorkerRequest } from './protocol';

type Pending = { resolve: (event: WorkerEvent) => void; reject: (error: Error) => void };
type Listener = (event: WorkerEvent) => void;

export class GpuWorkerClient {
  private worker = new Worker(new URL('./gpu.worker.ts', import.meta.url), { type: 'module', name: 'gpu-worker' });
  private pending = new Map<number, Pending>();
  private listeners = new Set<Listener>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => {
      const event = message.data;
      const waiting = 'id' in event ? this.pending.get(event.id) : undefined;
      if (waiting && 'id' in event) {
        this.pending.delete(event.id);
        if (event.type === 'error') waiting.reject(new Error(event.message));
        else waiting.resolve(event);
        return;
      }
      for (const listener of this.listeners) listener(event);
    };
    this.worker.onerror = (event) => {
      const error = new Error(`GPU worker crashed: ${event.message}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
  }

  /** Sends a request that the worker answers (by id). */
  request<T extends WorkerEvent>(make: (id: number) => WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: WorkerEvent) => void, reject });
      this.worker.postMessage(make(id));
    });
  }

  /** Sends a message that gets no answer (pause, resume, cancel). */
  send(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

let shared: GpuWorkerClient | undefined;

/** The page's one GPU worker, started on first use. */
export function gpuWorker(): GpuWorkerClient {
  shared ??= new GpuWorkerClient();
  return shared;
}
