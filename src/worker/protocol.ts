// Messages between the page and the GPU worker. The worker owns the GPU device and hosts the experiment
// runner, so training never blocks the page.
import type { AdapterSummary } from '../gpu/adapter';
import type { GpuFault } from '../gpu/faults';
import type { SelfTestResult } from '../kernels/selftest';
import type { RunnerEvent } from '../lab/runner';
import type { Results } from '../lab/results';
import type { RunKey, SweepDefinition } from '../lab/sweep';

export type WorkerRequest =
  | { type: 'selftest'; id: number }
  | {
      type: 'start';
      id: number;
      sweep: SweepDefinition;
      sweepId: string;
      /** A subset of the sweep's runs (Train runs one); all when absent. */
      runs?: RunKey[];
      /** The results document to add to (empty for a new sweep): finished runs are skipped, unfinished ones
       *  resume from checkpoints. */
      resume: Results;
      /** `data/` resolved against the page (a worker has no page URL of its own). */
      dataBaseUrl: string;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  /** Destroys the device, as a driver reset would: the worker must recover (tests and the "simulate" button). */
  | { type: 'lose-device' };

export type WorkerEvent =
  | { type: 'selftest-done'; id: number; adapter: AdapterSummary; results: SelfTestResult[] }
  | { type: 'sweep-done'; id: number; results: Results; status: 'completed' | 'cancelled' }
  | { type: 'runner'; event: RunnerEvent }
  | { type: 'corpus-progress'; receivedBytes: number; totalBytes: number; fromCache: boolean }
  | { type: 'device-recovered'; message: string }
  | { type: 'fault'; fault: GpuFault }
  | { type: 'error'; id: number; message: string };
