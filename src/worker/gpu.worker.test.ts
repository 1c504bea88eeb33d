// The worker's request handling with the GPU, corpus, store and kernels faked: a failed device request is not
// cached (the next one retries), and a self-test and a sweep never share the device at the same time.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultSweep } from '../lab/sweep';
import type { WorkerEvent, WorkerRequest } from './protocol';

const fake = vi.hoisted(() => ({
  gpuCalls: 0,
  gpuFailures: 0,
  selfTest: undefined as undefined | { resolve: (r: unknown[]) => void },
}));

vi.mock('../gpu/browser', () => ({
  createBrowserGpu: async () => {
    fake.gpuCalls++;
    if (fake.gpuFailures > 0) {
      fake.gpuFailures--;
      throw new Error('requestDevice failed');
    }
    return { adapter: { vendor: 'fake', architecture: 'fake' }, faults: { subscribe: () => () => {}, list: [] }, device: { lost: new Promise(() => {}) } };
  },
}));
vi.mock('../kernels/selftest', () => ({
  runSelfTests: () => new Promise((resolve) => (fake.selfTest = { resolve })),
}));
vi.mock('../data/load', () => ({ loadCorpus: () => new Promise(() => {}) })); // a sweep stays "loading data"
vi.mock('../lab/persist', () => ({ openIndexedDbStore: async () => ({}) }));

const posted: WorkerEvent[] = [];
const worker = { postMessage: (e: WorkerEvent) => posted.push(e), onmessage: null as null | ((e: { data: WorkerRequest }) => Promise<void>) };
vi.stubGlobal('self', worker);
await import('./gpu.worker');

async function send(request: WorkerRequest): Promise<void> {
  void worker.onmessage!({ data: request });
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

const last = () => posted.at(-1);

beforeEach(() => {
  posted.length = 0;
});

describe('GPU worker', () => {
  it('does not keep a failed device request: the next request asks for a device again', async () => {
    fake.gpuFailures = 1;
    await send({ type: 'selftest', id: 1 });
    expect(last()).toEqual({ type: 'error', id: 1, message: 'requestDevice failed' });
    await send({ type: 'selftest', id: 2 });
    expect(fake.gpuCalls).toBe(2);
    fake.selfTest!.resolve([]);
    await send({ type: 'pause' });
    expect(posted.find((e) => e.type === 'selftest-done')).toMatchObject({ id: 2, results: [] });
  });

  it('refuses a sweep while the self-test runs, and the self-test while a sweep runs', async () => {
    await send({ type: 'selftest', id: 3 });
    const start = (id: number): WorkerRequest => ({ type: 'start', id, sweep: defaultSweep('tiny'), sweepId: 's', resume: {} as never, dataBaseUrl: 'http://x/data/' });
    await send(start(4));
    expect(last()).toMatchObject({ type: 'error', id: 4, message: expect.stringMatching(/self-test is running/) });
    await send({ type: 'selftest', id: 5 });
    expect(last()).toMatchObject({ type: 'error', id: 5, message: 'A self-test is already running.' });
    fake.selfTest!.resolve([]);
    await send({ type: 'pause' });
    expect(last()).toMatchObject({ type: 'selftest-done', id: 3 });
    await send(start(6)); // now it starts (and waits for its data, faked to never arrive)
    expect(last()).toMatchObject({ type: 'selftest-done' }); // no error for 6
    await send({ type: 'selftest', id: 7 });
    expect(last()).toMatchObject({ type: 'error', id: 7, message: expect.stringMatching(/A sweep is running on this GPU/) });
  });
});
