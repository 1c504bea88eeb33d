// The page's handle on the GPU worker: one worker per page, request/response by id for requests that
// answer, and every other event (faults, runner events, progress) delivered to subscribers.
//
// A worker that fails (its module does not load, an error escapes it, or a message from it cannot be read)
// is terminated and forgotten: every request waiting on it is rejected with the reason, and the next request
// starts a fresh worker (which fails the same way, and says so, if the module still does not load).
import type { WorkerEvent, WorkerRequest } from './protocol';

type Pending = { resolve: (event: WorkerEvent) => void; reject: (error: Error) => void };
type Listener = (event: WorkerEvent) => void;

/** What the client needs of a Worker (tests pass a fake). */
export type WorkerLike = Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror' | 'onmessageerror'>;

function startGpuWorker(): WorkerLike {
  return new Worker(new URL('./gpu.worker.ts', import.meta.url), { type: 'module', name: 'gpu-worker' });
}

export class GpuWorkerClient {
  private worker: WorkerLike | undefined;
  private pending = new Map<number, Pending>();
  private listeners = new Set<Listener>();
  private nextId = 1;

  constructor(private readonly startWorker: () => WorkerLike = startGpuWorker) {}

  /** The live worker, started on first use and again after a failure. */
  private live(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.startWorker();
    worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.deliver(message.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault?.(); // handled here: the page's console gets no second report
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
      this.fail(worker, `GPU worker crashed: ${event.message || 'its script failed to load or threw'}${where}`);
    };
    worker.onmessageerror = () => this.fail(worker, 'GPU worker sent a message the page could not read (messageerror)');
    this.worker = worker;
    return worker;
  }

  private deliver(event: WorkerEvent): void {
    const waiting = 'id' in event ? this.pending.get(event.id) : undefined;
    if (waiting && 'id' in event) {
      this.pending.delete(event.id);
      if (event.type === 'error') waiting.reject(new Error(event.message));
      else waiting.resolve(event);
      return;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Ends a failed worker and rejects what waits on it; the next request starts a new one. */
  private fail(worker: WorkerLike, message: string): void {
    if (this.worker !== worker) return; // an old worker's late event
    this.worker = undefined;
    worker.onmessage = worker.onerror = worker.onmessageerror = null;
    worker.terminate();
    const error = new Error(`${message}; the next request starts a new worker`);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(error);
  }

  /** Sends a request that the worker answers (by id). */
  request<T extends WorkerEvent>(make: (id: number) => WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: WorkerEvent) => void, reject });
      try {
        this.live().postMessage(make(id));
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Sends a message that gets no answer (pause, resume, cancel): to a running worker only (with none,
   *  nothing is in flight for it to act on). */
  send(message: WorkerRequest): void {
    this.worker?.postMessage(message);
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
