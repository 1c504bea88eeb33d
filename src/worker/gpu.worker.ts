// The dedicated worker that owns the GPU device (the same src/gpu code as the page and Node) and hosts the
// experiment runner. A lost device is recovered: a new device, the sweep restarted from what the store holds
// (finished runs kept, the unfinished run resumed from its last checkpoint), the event recorded in the run.
import { describeAdapter, type Gpu } from '../gpu/adapter';
import { createBrowserGpu } from '../gpu/browser';
import { loadCorpus } from '../data/load';
import { WebGpuEngine } from '../engine/webgpu';
import { runSelfTests } from '../kernels/selftest';
import { openIndexedDbStore } from '../lab/persist';
import type { ResultStore } from '../lab/persist/types';
import { maxBatchTokens, requiredDataFiles, runSweep, type RunnerEvent } from '../lab/runner';
import type { ModelConfig } from '../model/config';
import { isFinishedRun, type Results } from '../lab/results';
import { PhaseControl } from '../train';
import type { WorkerEvent, WorkerRequest } from './protocol';

type StartRequest = Extract<WorkerRequest, { type: 'start' }>;

let gpu: Promise<Gpu> | undefined;
let store: Promise<ResultStore> | undefined;
/** The sweep in flight: set when its start request arrives (so Pause and Cancel work while data loads). */
let active: { control: PhaseControl; abort: AbortController } | undefined;
/** A self-test in flight: it shares the device (and its fault list) with a sweep, so the two never overlap. */
let selfTesting = false;
/** How many times one sweep may recover from a lost device before it gives up. */
const MAX_RECOVERIES = 3;

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

function workerGpu(): Promise<Gpu> {
  if (gpu) return gpu;
  const acquiring = createBrowserGpu('plasticity-lab-worker').then(
    (g) => {
      g.faults.subscribe((fault) => post({ type: 'fault', fault }));
      void g.device.lost.then(() => {
        if (gpu === acquiring) gpu = undefined;
      });
      return g;
    },
    (error: unknown) => {
      if (gpu === acquiring) gpu = undefined; // not cached: the next start (or a recovery) asks again
      throw error;
    },
  );
  gpu = acquiring;
  return acquiring;
}

/** How long an error waits for device.lost: work in flight (a readback's mapAsync) can fail just before it resolves. */
const LOST_GRACE_MS = 2000;

/** Whether `g`'s device is lost (faults records it when device.lost resolves; this waits LOST_GRACE_MS for that). */
async function deviceLost(g: Gpu): Promise<boolean> {
  if (g.faults.list.some((f) => f.kind === 'lost')) return true;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), LOST_GRACE_MS));
  return Promise.race([g.device.lost.then(() => true), timeout]);
}

async function runStart(request: StartRequest, { control, abort }: NonNullable<typeof active>, recoveries = 0): Promise<void> {
  const g = await workerGpu();
  store ??= openIndexedDbStore();
  const corpus = await loadCorpus({
    baseUrl: request.dataBaseUrl,
    files: requiredDataFiles(request.sweep),
    onProgress: ({ receivedBytes, totalBytes, fromCache }) => post({ type: 'corpus-progress', receivedBytes, totalBytes, fromCache }),
  });
  if (abort.signal.aborted) {
    // Cancelled while the data loaded: nothing ran, so nothing changed.
    post({ type: 'sweep-done', id: request.id, results: request.resume, status: 'cancelled' });
    return;
  }
  const host = {
    createEngine: (config: ModelConfig) => WebGpuEngine.create(g, config, { maxTokens: maxBatchTokens(request.sweep) }),
    // Checked before the engine is made. No total budget: WebGPU does not say how much memory the device has.
    memoryLimits: { maxBufferSize: g.device.limits.maxBufferSize, maxStorageBufferBindingSize: g.device.limits.maxStorageBufferBindingSize },
    corpus,
    store: await store,
    device: { adapter: describeAdapter(g.adapter), vendor: g.adapter.vendor, architecture: g.adapter.architecture, build: __BUILD_ID__ },
    emit: (event: RunnerEvent) => post({ type: 'runner', event }),
  };
  try {
    const results = await runSweep(host, request.sweep, { sweepId: request.sweepId, runs: request.runs, signal: abort.signal, control, resume: request.resume });
    post({ type: 'sweep-done', id: request.id, results, status: abort.signal.aborted ? 'cancelled' : 'completed' });
  } catch (error) {
    if (recoveries >= MAX_RECOVERIES || abort.signal.aborted || !(await deviceLost(g))) throw error;
    const lost = g.faults.list.find((f) => f.kind === 'lost')!;
    const message = `GPU device lost (${lost.message}); recovered on a new device and resumed from the last checkpoint.`;
    post({ type: 'device-recovered', message });
    const resume = await noteRecovery(await store, request.sweepId, message);
    await runStart({ ...request, resume }, { control, abort }, recoveries + 1);
  }
}

/** Records the loss in every unfinished run's events (stored), and returns the results to resume from. */
async function noteRecovery(results: ResultStore, sweepId: string, message: string): Promise<Results> {
  const saved = (await results.loadSweep(sweepId)).results;
  const time = new Date().toISOString();
  const runs = saved.runs.map((run) =>
    isFinishedRun(run) ? run : { ...run, events: [...run.events, { time, kind: 'device-lost', message }] },
  );
  for (const run of runs) if (!saved.runs.includes(run)) await results.saveRun(sweepId, run);
  return { ...saved, runs };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.type) {
      case 'selftest': {
        if (active) throw new Error('A sweep is running on this GPU: run the self-test when it has finished (or cancel the sweep), so their faults are not mixed up.');
        if (selfTesting) throw new Error('A self-test is already running.');
        selfTesting = true;
        try {
          const g = await workerGpu();
          post({ type: 'selftest-done', id: request.id, adapter: g.adapter, results: await runSelfTests(g) });
        } finally {
          selfTesting = false;
        }
        break;
      }
      case 'start': {
        if (active) throw new Error('A sweep is already running in this tab: pause or cancel it first.');
        if (selfTesting) throw new Error('The GPU self-test is running: start the sweep when it has finished.');
        const owned = (active = { control: new PhaseControl(), abort: new AbortController() });
        try {
          await runStart(request, owned);
        } finally {
          active = undefined;
        }
        break;
      }
      case 'pause':
        active?.control.pause();
        break;
      case 'resume':
        active?.control.resume();
        break;
      case 'cancel':
        active?.control.cancel();
        active?.abort.abort();
        break;
      case 'lose-device':
        (await workerGpu()).device.destroy();
        break;
    }
  } catch (error) {
    post({ type: 'error', id: 'id' in request ? request.id : 0, message: String((error as Error).message ?? error) });
  }
};
