// The page's worker client on a fake Worker: answers by id, events to subscribers, and a worker that fails
// (module load error, messageerror) is terminated, its waiting requests rejected, and replaced on next use.
import { describe, expect, it } from 'vitest';
import { GpuWorkerClient, type WorkerLike } from './client';
import type { WorkerEvent, WorkerRequest } from './protocol';

class FakeWorker implements WorkerLike {
  onmessage: WorkerLike['onmessage'] = null;
  onerror: WorkerLike['onerror'] = null;
  onmessageerror: WorkerLike['onmessageerror'] = null;
  posted: WorkerRequest[] = [];
  terminated = false;
  postMessage(message: WorkerRequest): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(event: WorkerEvent): void {
    this.onmessage?.call(this as unknown as Worker, { data: event } as MessageEvent);
  }
  crash(message: string): void {
    this.onerror?.call(this as unknown as Worker, { message, filename: '', lineno: 0, preventDefault() {} } as unknown as ErrorEvent);
  }
}

function client() {
  const workers: FakeWorker[] = [];
  const c = new GpuWorkerClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  return { c, workers };
}

const selftest = (id: number): WorkerRequest => ({ type: 'selftest', id });

describe('GpuWorkerClient', () => {
  it('starts the worker on first use, resolves answers by id and passes other events to subscribers', async () => {
    const { c, workers } = client();
    expect(workers).toHaveLength(0);
    const events: WorkerEvent[] = [];
    c.subscribe((e) => events.push(e));
    const answer = c.request(selftest);
    expect(workers).toHaveLength(1);
    workers[0].answer({ type: 'device-recovered', message: 'x' });
    workers[0].answer({ type: 'error', id: 99, message: 'not ours' });
    workers[0].answer({ type: 'selftest-done', id: 1, adapter: {} as never, results: [] });
    await expect(answer).resolves.toMatchObject({ type: 'selftest-done', id: 1 });
    expect(events.map((e) => e.type)).toEqual(['device-recovered', 'error']);
  });

  it('a worker whose module fails to load rejects what waits on it, is terminated, and the next request starts a new one', async () => {
    const { c, workers } = client();
    const first = c.request(selftest);
    const second = c.request(selftest);
    workers[0].crash('Failed to fetch dynamically imported module');
    await expect(first).rejects.toThrow(/GPU worker crashed: Failed to fetch dynamically imported module; the next request starts a new worker/);
    await expect(second).rejects.toThrow(/GPU worker crashed/);
    expect(workers[0].terminated).toBe(true);
    c.send({ type: 'cancel' }); // nothing runs: not sent, and no worker started for it
    expect(workers).toHaveLength(1);
    const third = c.request(selftest);
    expect(workers).toHaveLength(2);
    expect(workers[1].posted).toEqual([{ type: 'selftest', id: 3 }]);
    workers[0].crash('late'); // an old worker's late event changes nothing
    workers[1].answer({ type: 'selftest-done', id: 3, adapter: {} as never, results: [] });
    await expect(third).resolves.toMatchObject({ id: 3 });
  });

  it('a message that cannot be read (messageerror) fails the worker the same way instead of leaving requests waiting', async () => {
    const { c, workers } = client();
    const waiting = c.request(selftest);
    workers[0].onmessageerror?.call(workers[0] as unknown as Worker, {} as MessageEvent);
    await expect(waiting).rejects.toThrow(/could not read \(messageerror\)/);
    expect(workers[0].terminated).toBe(true);
    void c.request(selftest).catch(() => {});
    expect(workers).toHaveLength(2);
  });
});
