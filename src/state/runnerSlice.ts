// Drives the experiment runner in the GPU worker: Train (one lambda, added to the current results), Sweep
// (the edited sweep), pause / resume / cancel, and resuming an unfinished sweep after a reload. Runner events
// reach the store in batches: run results at once (rare), metric points at most every METRICS_FLUSH_MS.
import type { StateCreator } from 'zustand';
import { describeAdapter } from '../gpu/adapter';
import type { Results } from '../lab/results';
import { runId, type RunKey, type SweepDefinition } from '../lab/sweep';
import type { WorkerEvent } from '../worker/protocol';
import { gpuWorker } from '../worker/client';
import { selectViewedResults, type LabSlice } from './labSlice';
import { addsToOpenResults, interruptedSweep, messageOf, type MetricBatch } from './labModel';
import type { GpuSlice } from './gpuSlice';
import { OTHER_TAB_TRAINING, trainingElsewhere, whileTraining } from './trainingLock';

/** 'starting': asking for the training lock, nothing sent to the worker yet (Pause and Cancel would be lost). */
export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'cancelling';
const METRICS_FLUSH_MS = 200;

export interface RunnerSlice {
  runState: RunState;
  /** Shared results being re-run here to verify them ("Re-run to verify"), shown beside the new numbers while
   *  the re-run's sweep (sweepId) is the one open. */
  verifyAgainst?: { sweepId: string; results: Results };
  /** Leaves the shared view and runs the same sweep on this device, keeping the shared numbers to compare. */
  rerunShared: () => Promise<void>;
  /** Download progress of the data a run needs, while it loads in the worker. */
  runnerData?: { receivedBytes: number; totalBytes: number };
  startTrain: () => Promise<void>;
  startSweep: () => Promise<void>;
  /** Continues the sweep a reload or a crash interrupted (interruptedSweep), unless the user cancelled it;
   *  not while a shared view is open or with no GPU (then on leaving the shared view). */
  resumeUnfinished: () => Promise<void>;
  pauseRun: () => void;
  resumeRun: () => void;
  cancelRun: () => void;
  /** Destroys the worker's GPU device to exercise recovery (a driver reset does the same). */
  simulateDeviceLoss: () => void;
}

type Store = LabSlice & GpuSlice & RunnerSlice;

function emptyResults(sweep: SweepDefinition, device: Results['device']): Results {
  const now = new Date().toISOString();
  return { kind: 'plasticity-lab-results', version: 1, sweep, createdAt: now, updatedAt: now, device, runs: [], controls: [] };
}

/** "Finished: 1 run (λ 0.3, seed 0) of "lab: …"" or "Finished: 15 runs of …", with any that did not end done. */
export function finishedNotice(results: Results, asked: readonly RunKey[] | undefined): string {
  const ids = new Set((asked ?? results.runs).map((k) => runId(k)));
  const runs = results.runs.filter((r) => ids.has(r.id));
  const which = runs.length === 1 ? `1 run (λ ${runs[0].lambda}, seed ${runs[0].seed})` : `${runs.length} runs`;
  const notDone = runs.filter((r) => r.status !== 'done');
  return `Finished: ${which} of "${results.sweep.name}"${notDone.length ? `; ${notDone.length} ended ${[...new Set(notDone.map((r) => r.status))].join(' or ')} (the runs table says why)` : ''}.`;
}

export const createRunnerSlice: StateCreator<Store, [], [], RunnerSlice> = (set, get) => {
  let pendingMetrics: MetricBatch[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let wired = false;
  let runEventsSeen = 0;

  const flushMetrics = () => {
    flushTimer = undefined;
    const batches = pendingMetrics;
    pendingMetrics = [];
    get().appendMetrics(batches);
  };

  const onEvent = (event: WorkerEvent) => {
    if (event.type === 'runner') {
      const e = event.event;
      if (e.type === 'metrics') {
        pendingMetrics.push(e.batch);
        flushTimer ??= setTimeout(flushMetrics, METRICS_FLUSH_MS);
      } else if (e.type === 'run') {
        runEventsSeen++;
        // Metrics queued before this event go first: flushed after it, a finished run's would bring back the
        // live entry upsertRun drops.
        if (flushTimer) {
          clearTimeout(flushTimer);
          flushMetrics();
        }
        get().upsertRun(e.run);
      } else if (e.type === 'log') {
        console.info(`[runner] ${e.message}`);
      }
    } else if (event.type === 'corpus-progress') {
      set({ runnerData: { receivedBytes: event.receivedBytes, totalBytes: event.totalBytes } });
    } else if (event.type === 'device-recovered') {
      get().setNotice('warning', event.message);
    }
  };

  /** This page's device, as the worker records it in results (runSweep's host.device). */
  const device = (): Results['device'] => {
    const a = get().adapter;
    return { adapter: a ? describeAdapter(a) : 'unknown', vendor: a?.vendor ?? '', architecture: a?.architecture ?? '', build: __BUILD_ID__ };
  };

  /** Runs `runs` of `sweep` in the worker, resuming from `resume`, unless another tab is training (trainingLock). */
  const start = async (sweep: SweepDefinition, sweepId: string, resume: Results, runs: RunKey[] | undefined) => {
    if (get().runState !== 'idle') return;
    set({ runState: 'starting' }); // holds the buttons while the lock is asked for
    try {
      if (!(await whileTraining(() => runInWorker(sweep, sweepId, resume, runs)))) get().setNotice('error', OTHER_TAB_TRAINING);
    } catch (error) {
      get().setNotice('error', messageOf(error)); // the lock itself failed (a sandboxed page): nothing ran
    } finally {
      set({ runState: 'idle' }); // after the lock is released: a click now is never refused by this tab's own lock
    }
  };

  /** The run itself; the results document stays in the store. */
  const runInWorker = async (sweep: SweepDefinition, sweepId: string, resume: Results, runs: RunKey[] | undefined) => {
    if (!wired) {
      gpuWorker().subscribe(onEvent);
      wired = true;
    }
    // What was open comes back when the worker refuses the start or it is cancelled before any run (no run event).
    // The editor keeps the user's settings (the refusal's message says what to change in them).
    const before = { results: get().results, sweepId: get().sweepId, editor: get().sweep, seen: runEventsSeen };
    const restoreIfNothingRan = () => {
      if (runEventsSeen !== before.seen) return false;
      if (before.results) get().loadResults(before.results, before.sweepId);
      else set({ results: undefined, sweepId: undefined });
      set({ sweep: before.editor });
      return true;
    };
    get().loadResults(resume, sweepId);
    const shownAtStart = get().notice;
    try {
      const dataBaseUrl = new URL('data/', document.baseURI).href;
      set({ runState: 'running' }); // the start goes to the worker first: a Pause or Cancel now follows it
      const done = await gpuWorker().request<Extract<WorkerEvent, { type: 'sweep-done' }>>((id) => ({ type: 'start', id, sweep, sweepId, runs, resume, dataBaseUrl }));
      if (flushTimer) clearTimeout(flushTimer);
      flushMetrics();
      if (done.status === 'cancelled' && restoreIfNothingRan()) get().setNotice('info', 'Cancelled before any run started.');
      else {
        get().loadResults(done.results, sweepId);
        if (done.status === 'cancelled') get().setNotice('info', 'Cancelled. Finished runs are kept; Sweep continues the rest.');
        // The end is announced (the status region), replacing the notice it started under ("Resuming...") or
        // an info, not a warning or an error that came up on the way.
        else if (!get().notice || get().notice === shownAtStart || get().notice?.kind === 'info') get().setNotice('info', finishedNotice(done.results, runs));
      }
    } catch (error) {
      restoreIfNothingRan();
      get().setNotice('error', messageOf(error));
    } finally {
      // Nothing is training now: a run the sweep stopped in (an error) must not stay "in progress".
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      pendingMetrics = [];
      set({ runnerData: undefined, live: {} }); // runState goes idle in start, once the lock is released
      void get().restoreSaved();
    }
  };

  return {
    runState: 'idle',

    async startTrain() {
      const { singleRun: { lambda, seed }, results: current, sweep: edited } = get();
      // One lambda joins the open sweep's grid, so its point lands on the charts beside earlier runs; an
      // edited setup (preset, budget, tasks...) or results of another device start a new sweep.
      const base = current && addsToOpenResults(current, edited, device().adapter) ? current : emptyResults(edited, device());
      const joins = base === current;
      const lambdas = base.sweep.lambdas.includes(lambda) ? base.sweep.lambdas : [...base.sweep.lambdas, lambda].sort((a, b) => a - b);
      const seeds = base.sweep.seeds.includes(seed) ? base.sweep.seeds : [...base.sweep.seeds, seed];
      const sweep = { ...base.sweep, lambdas, seeds };
      const resume = { ...base, sweep, runs: base.runs.filter((r) => r.id !== runId({ lambda, seed })) };
      await start(sweep, (joins && get().sweepId) || `sweep-${Date.now()}`, resume, [{ lambda, seed }]);
    },

    async startSweep() {
      const { sweep, results, sweepId } = get();
      const same = results && sweepId && addsToOpenResults(results, sweep, device().adapter) && JSON.stringify(results.sweep) === JSON.stringify(sweep);
      await start(sweep, same ? sweepId : `sweep-${Date.now()}`, same ? results : emptyResults(sweep, device()), undefined);
    },

    async resumeUnfinished() {
      const unfinished = interruptedSweep(get().storedSweeps);
      if (!unfinished || get().shared || get().gpuStatus !== 'ready') return;
      if (await trainingElsewhere()) {
        get().setNotice('info', `"${unfinished.results.sweep.name}" is not resumed here: another tab of this lab is training (it may be this sweep).`);
        return;
      }
      get().setNotice('info', `Resuming "${unfinished.results.sweep.name}" from its last checkpoint.`);
      await start(unfinished.results.sweep, unfinished.sweepId, unfinished.results, unfinished.runs);
    },

    async rerunShared() {
      const shared = get().shared;
      if (!shared) return;
      get().leaveShared();
      const sweepId = `verify-${Date.now()}`;
      set({ verifyAgainst: { sweepId, results: shared.results }, sweep: shared.results.sweep });
      await start(shared.results.sweep, sweepId, emptyResults(shared.results.sweep, device()), undefined);
    },

    pauseRun() {
      if (get().runState !== 'running') return;
      gpuWorker().send({ type: 'pause' });
      set({ runState: 'paused' });
    },
    resumeRun() {
      if (get().runState !== 'paused') return;
      gpuWorker().send({ type: 'resume' });
      set({ runState: 'running' });
    },
    cancelRun() {
      if (get().runState === 'idle' || get().runState === 'starting') return;
      gpuWorker().send({ type: 'cancel' });
      set({ runState: 'cancelling' });
    },
    simulateDeviceLoss: () => gpuWorker().send({ type: 'lose-device' }),
  };
};

export { selectViewedResults };
