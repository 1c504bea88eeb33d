// What every step of a sweep shares: the host (engine factory, corpus, store, events), the sweep and its
// plan, the one engine, the corpus streams, the seeded task and probe sets (made once per seed), and the
// live-metrics throttle. Also the cancellation the steps check between pieces of work.
import type { Corpus } from '../data/corpus';
import { requireFile } from '../data/corpus';
import { makeGenreProbe, makeSentimentProbe, type ProbeSet } from '../data/probes';
import { makeTask, type AnyTask } from '../data/tasks';
import type { Engine } from '../engine/types';
import type { ModelConfig } from '../model/config';
import type { MetricBatch, RunProgress } from '../state/labModel';
import type { PhaseControl } from '../train/control';
import type { ResultStore } from './persist/types';
import type { ControlResult, Results, RunResult, Series } from './results';
import { MEASURE_SIZES, type MeasureSizes } from './measureSizes';
import { runSeeds } from './runnerPlan';
import { runModel } from './sweep';
import type { ProbeName, SweepDefinition, TaskName } from './sweep';

export type RunnerEvent =
  | { type: 'run'; run: RunResult }
  | { type: 'metrics'; batch: MetricBatch }
  | { type: 'control'; control: ControlResult }
  | { type: 'log'; message: string };

export interface RunnerHost {
  /** WebGpuEngine in the page and the CLI; the CPU engine in orchestration tests. */
  createEngine(config: ModelConfig): Promise<Engine>;
  /** The files the sweep needs (requiredDataFiles). */
  corpus: Corpus;
  store: ResultStore;
  /** Adapter description and build, recorded in the results. */
  device: Results['device'];
  emit(event: RunnerEvent): void;
}

/** Thrown inside a sweep when it is cancelled (abort signal or PhaseControl.cancel): runSweep returns. */
export class RunCancelled extends Error {
  constructor(where: string) {
    super(`cancelled during ${where}`);
    this.name = 'RunCancelled';
  }
}

/**
 * Metric points for the page, batched: at most one batch per `minMs` (flush() forces one). Only points that
 * come with a progress (a training chunk, a score point) may send a batch, so a batch's progress is the step
 * of its newest points (a validation point arrives just before its chunk's losses and waits for them).
 */
export class LiveMetrics {
  private pending = new Map<string, MetricBatch>();
  private last = -Infinity;

  constructor(private readonly emit: (event: RunnerEvent) => void, private readonly minMs = 250) {}

  add(runId: string, name: string, x: readonly number[], y: readonly number[], progress?: RunProgress): void {
    const batch = this.pending.get(runId) ?? { runId, series: {} };
    const series: Series = batch.series[name] ?? { x: [], y: [] };
    series.x.push(...x);
    series.y.push(...y.map((v) => (Number.isFinite(v) ? v : null)));
    batch.series[name] = series;
    this.pending.set(runId, batch);
    if (progress) this.progress(runId, progress);
  }

  progress(runId: string, progress: RunProgress): void {
    const batch = this.pending.get(runId) ?? { runId, series: {} };
    this.pending.set(runId, { ...batch, progress });
    if (performance.now() - this.last >= this.minMs) this.flush();
  }

  flush(): void {
    this.last = performance.now();
    for (const batch of this.pending.values()) this.emit({ type: 'metrics', batch });
    this.pending.clear();
  }
}

export interface RunContext {
  host: RunnerHost;
  sweep: SweepDefinition;
  sweepId: string;
  engine: Engine;
  model: ModelConfig;
  sizes: MeasureSizes;
  signal?: AbortSignal;
  control?: PhaseControl;
  live: LiveMetrics;
  text: { train: Uint8Array; validation: Uint8Array };
  /** Untrained-model probe accuracies by `seed/probe/layer/pooling` (the baseline depends on the seed only). */
  untrainedProbes: Map<string, number>;
  log(message: string): void;
  /** Throws RunCancelled when the sweep was cancelled; waits while it is paused. */
  proceed(where: string): Promise<void>;
  task(name: TaskName, seed: number): AnyTask;
  probeSet(name: ProbeName, seed: number): ProbeSet;
}

export function createContext(host: RunnerHost, sweep: SweepDefinition, sweepId: string, engine: Engine, options: { signal?: AbortSignal; control?: PhaseControl }): RunContext {
  const sizes = MEASURE_SIZES[sweep.preset];
  const tasks = new Map<string, AnyTask>();
  const probes = new Map<string, ProbeSet>();
  let probesSeed: number | undefined;
  const cancelled = () => options.signal?.aborted === true || options.control?.state === 'cancelled';
  const log = (message: string) => host.emit({ type: 'log', message });
  return {
    host, sweep, sweepId, engine, sizes, signal: options.signal, control: options.control, log,
    model: runModel(sweep),
    live: new LiveMetrics(host.emit),
    text: { train: requireFile(host.corpus, 'train'), validation: requireFile(host.corpus, 'validation') },
    untrainedProbes: new Map(),
    async proceed(where) {
      if (options.control?.state === 'paused') await options.control.whilePaused(options.signal);
      if (cancelled()) throw new RunCancelled(where);
    },
    task(name, seed) {
      const key = `${name}/${seed}`;
      const spec = sweep.tasks.find((t) => t.name === name);
      if (!spec) throw new Error(`task ${name} is not in sweep "${sweep.name}"`);
      if (!tasks.has(key)) tasks.set(key, makeTask(name, host.corpus, { seed, trainSize: spec.trainSize, testSize: spec.testSize }));
      return tasks.get(key)!;
    },
    probeSet(name, seed) {
      const key = `${name}/${seed}`;
      // Runs go seed by seed (sweepRuns): only the current seed's probe sets are kept (~10 MB each).
      if (seed !== probesSeed) probes.clear();
      probesSeed = seed;
      if (!probes.has(key)) {
        const make = name === 'sentiment' ? makeSentimentProbe : makeGenreProbe;
        const options = { seed: runSeeds(seed).probe(name), chars: Math.min(128, runModel(sweep).T), perClassTrain: sizes.probeTrain, perClassTest: sizes.probeTest };
        probes.set(key, make(host.corpus, options));
      }
      return probes.get(key)!;
    },
  };
}
