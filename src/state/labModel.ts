// The lab slice's data and its pure updates (no zustand here, so they test without a store): single-run
// settings, notices, the shared view, live metric series streamed from the worker, and run upserts.
import { z } from 'zod';
import { TERMINAL_STATUSES, type Results, type RunResult, type Series } from '../lab/results';
import type { StoredSweep } from '../lab/persist/types';
import { runId, type RunKey, type SweepDefinition, type TaskName } from '../lab/sweep';

/** The "Train" button: one pretraining run at one lambda and seed. */
export const SingleRunSchema = z
  .object({
    lambda: z.number().finite().min(0).max(100),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
  })
  .strict();
export type SingleRunSettings = z.infer<typeof SingleRunSchema>;
export const DEFAULT_SINGLE_RUN: SingleRunSettings = { lambda: 0.1, seed: 0 };

export type NoticeKind = 'error' | 'warning' | 'info';
/** One message for the user: bad input (URL, file), storage trouble, or what just happened. */
export interface Notice {
  kind: NoticeKind;
  message: string;
}

/** Results opened from a share URL: shown read-only, next to (never instead of) the user's own results. */
export interface SharedView {
  results: Results;
  /** The sharer's adapter, as their results recorded it. */
  device: string;
  /** When the link was made (ISO 8601). */
  date: string;
}

/** Names of live series, one convention for the worker and the charts. */
export const LIVE_SERIES = {
  pretrainLoss: 'pretrain.loss',
  pretrainValBitsPerChar: 'pretrain.valBitsPerChar',
  finetuneLoss: (task: TaskName) => `finetune.${task}.loss`,
  finetuneScore: (task: TaskName) => `finetune.${task}.score`,
} as const;

/** Where a run stands, as the worker reports it with each batch. */
export interface RunProgress {
  /** 'pretrain', 'measure', 'finetune.ADD-R', ... */
  phase: string;
  step: number;
  steps: number;
  /** Throughput over the last chunk (the runs table shows it). */
  tokensPerSecond?: number;
}

/** A batch of points from the worker: for one run, new points to append to some of its live series. */
export interface MetricBatch {
  runId: string;
  series: Record<string, Series>;
  progress?: RunProgress;
}

/** What a training run has streamed so far (cleared when the run's final result arrives). */
export interface LiveRun {
  series: Record<string, Series>;
  /** Per series: the width in steps of the buckets it keeps one point of (1 until it first fills; thinLive). */
  strides?: Record<string, number>;
  progress?: RunProgress;
}

/** A live series is thinned to about this many points once it holds twice as many (charts stay cheap). */
export const LIVE_POINTS = 1024;

const bucketOf = (step: number, stride: number) => Math.floor(step / stride);

/**
 * Keeps the first point of each `stride`-wide bucket of steps, and the newest point (the curve's live end):
 * points stay evenly spread over steps however many times a long run is thinned.
 */
export function thinLive(s: Series, stride: number): Series {
  const x: number[] = [];
  const y: Series['y'] = [];
  const n = s.x.length;
  for (let i = 0; i < n; i++) {
    if (i === 0 || i === n - 1 || bucketOf(s.x[i], stride) !== bucketOf(s.x[i - 1], stride)) {
      x.push(s.x[i]);
      y.push(s.y[i]);
    }
  }
  return { x, y };
}

/**
 * Appends points in step order. A point at or before the series' last step is a replay (the worker resumes
 * from its last checkpoint after a device loss): the series is cut to the points before it first. The last
 * point stands in for its bucket's end until the next one arrives; a full series doubles its stride.
 */
function appendSeries(into: Series | undefined, stride: number, points: Series): { series: Series; stride: number } {
  const x = into ? into.x.slice() : [];
  const y = into ? into.y.slice() : [];
  for (let i = 0; i < points.x.length; i++) {
    const step = points.x[i];
    if (x.length && step <= x[x.length - 1]) {
      let keep = x.length;
      while (keep > 0 && x[keep - 1] >= step) keep--;
      x.length = keep;
      y.length = keep;
    }
    const n = x.length;
    if (n >= 2 && bucketOf(x[n - 1], stride) === bucketOf(x[n - 2], stride)) {
      x.pop(); // the previous newest point was not its bucket's first: it only stood in for the live end
      y.pop();
    }
    x.push(step);
    y.push(points.y[i]);
  }
  let series: Series = { x, y };
  if (x.length > 2 * LIVE_POINTS) {
    do {
      stride *= 2;
      series = thinLive(series, stride);
    } while (series.x.length > LIVE_POINTS + 1);
  }
  return { series, stride };
}

/** Merges batches into the live series; untouched runs and series keep their identity (narrow selectors). */
export function mergeMetricBatches(live: Record<string, LiveRun>, batches: readonly MetricBatch[]): Record<string, LiveRun> {
  const next = { ...live };
  for (const batch of batches) {
    const run = next[batch.runId] ?? { series: {} };
    const series = { ...run.series };
    const strides = { ...run.strides };
    for (const [name, points] of Object.entries(batch.series)) {
      if (points.x.length !== points.y.length) continue; // a malformed batch must not corrupt the chart
      const merged = appendSeries(series[name], strides[name] ?? 1, points);
      series[name] = merged.series;
      strides[name] = merged.stride;
    }
    next[batch.runId] = { series, strides, progress: batch.progress ?? run.progress };
  }
  return next;
}


/** How an unfinished run last stopped, when the runner said so: the user cancelled it, or an error ended it. */
export function runStopped(run: RunResult): 'cancelled' | 'error' | undefined {
  const kind = run.events.at(-1)?.kind;
  return !TERMINAL_STATUSES.has(run.status) && (kind === 'cancelled' || kind === 'error') ? kind : undefined;
}

/**
 * The sweep a reload interrupted: the newest stored one with an unfinished run, unless a run of it stopped
 * (the user cancelled it, or an error ended it, which would only recur: Sweep continues either on request).
 * It resumes the runs its document holds (what was asked for: Train asks for one run of a larger grid),
 * finished ones skipped by the runner.
 */
export function interruptedSweep(stored: readonly StoredSweep[]): { sweepId: string; results: Results; runs: RunKey[] } | undefined {
  const found = stored.find((s) => s.results.runs.some((r) => !TERMINAL_STATUSES.has(r.status)));
  if (!found || found.results.runs.some((r) => runStopped(r))) return undefined;
  return { sweepId: found.sweepId, results: found.results, runs: found.results.runs.map(({ lambda, seed }) => ({ lambda, seed })) };
}

/** Two sweeps differ at most in their lambda and seed grids (Train joins the open sweep only then). */
export function sameSetup(a: SweepDefinition, b: SweepDefinition): boolean {
  const setup = ({ lambdas: _l, seeds: _s, ...rest }: SweepDefinition) => JSON.stringify(rest);
  return setup(a) === setup(b);
}

/**
 * Whether Train and Sweep add runs to the open results: the same setup (sameSetup), made on this device
 * (`adapter`, describeAdapter's line). Runs of two devices never mix in one sweep (its charts would compare
 * them, and its device line would name only the last); open results with no run yet take any device.
 */
export function addsToOpenResults(results: Results | undefined, edited: SweepDefinition, adapter: string): boolean {
  return Boolean(results && sameSetup(results.sweep, edited) && (results.runs.length === 0 || results.device.adapter === adapter));
}

/** The device of open results that Train and Sweep cannot add to only because another device made them. */
export function otherDeviceOfOpenResults(results: Results | undefined, edited: SweepDefinition, adapter: string): string | undefined {
  if (!results || !sameSetup(results.sweep, edited) || addsToOpenResults(results, edited, adapter)) return undefined;
  return results.device.adapter;
}

/** The finished run that Train at `key` would replace in the open results (it re-runs it), if any. */
export function runTrainReplaces(results: Results | undefined, edited: SweepDefinition, key: RunKey, adapter: string): RunResult | undefined {
  if (!results || !addsToOpenResults(results, edited, adapter)) return undefined;
  const run = results.runs.find((r) => r.id === runId(key));
  return run && TERMINAL_STATUSES.has(run.status) ? run : undefined;
}

/** The results with `run` replacing the run of the same id (or added at the end); other runs keep identity. */
export function upsertRunIn(results: Results, run: RunResult, now = new Date()): Results {
  const index = results.runs.findIndex((r) => r.id === run.id);
  const runs = index < 0 ? [...results.runs, run] : results.runs.map((r, i) => (i === index ? run : r));
  return { ...results, runs, updatedAt: now.toISOString() };
}

/** Keeps only the ids that name runs of the results (a selection must not point at nothing). */
export function keepKnownRuns(selected: readonly string[], results: Results | undefined): string[] {
  const known = new Set(results?.runs.map((r) => r.id) ?? []);
  return selected.filter((id) => known.has(id));
}

/** The message of anything thrown: Error or not. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
