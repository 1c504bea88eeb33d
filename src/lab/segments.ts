// A training phase run in segments with a checkpoint at the end of each: what makes runs resumable.
//
// The phase stops at a few fixed steps (runnerPlan checkpointSteps). At each one the engine state is read
// into a checkpoint and written straight back, a measurement is taken (weight norms, a score on a test
// subset), and the checkpoint is saved through the store with everything recorded so far (the phase's
// curves, as JSON in its meta). A reload, a crash or a cancel resumes from the last one: parameters, AdamW
// moments, sampler position and curves. Writing the state back makes the uninterrupted run continue from
// exactly the saved (f32) numbers too, so an interrupted run and an uninterrupted one compute the same
// numbers on any engine (the CPU engine keeps float64 state that a checkpoint rounds to f32). A cancel
// saves nothing: the phase resumes from its last checkpoint and repeats at most one segment.
import type { SamplerState, PhaseSampler } from '../train/batches';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint, type CheckpointMeta } from '../train/checkpoint';
import type { PhaseConfig } from '../train/phase';
import { freshProgress, runPhase, type PhaseHooks, type PhaseProgress } from '../train/runPhase';
import { canonicalJson } from './resultsBook';
import { RunCancelled, type RunContext } from './runnerContext';
import { checkpointSteps } from './runnerPlan';

export interface SegmentedPhase<H> {
  /** Store keys of the checkpoints: the run (or control) and the phase ('pretrain', 'finetune:ADD-R'). */
  runId: string;
  phase: string;
  config: PhaseConfig;
  /** What the checkpoint must match to be resumed (lambda, seed, task...): a stale one is ignored. */
  identity: CheckpointMeta;
  /** Parameters of a fresh start (not used when resuming). */
  initialParams: () => Float32Array;
  /** A fresh sampler, or one at a checkpoint's position. */
  sampler: (state?: SamplerState) => PhaseSampler;
  /** A fresh history (JSON): the curves the hooks append to. */
  history: () => H;
  hooks: (history: H) => PhaseHooks;
  /** A measurement at step 0 and at every checkpoint, on the checkpoint's parameters. */
  atPoint: (step: number, params: Float32Array, history: H) => Promise<void>;
}

export interface SegmentedResult<H> {
  status: 'completed' | 'diverged';
  reason?: string;
  history: H;
  stepsDone: number;
  /** Seconds of training (all sessions together, measurements excluded). */
  seconds: number;
  /** The last checkpoint (completed: the end of the phase). */
  last: Checkpoint | null;
}

interface Resumed<H> {
  ckpt: Checkpoint;
  history: H;
  seconds: number;
  /** The sampler at the checkpoint's position (made here, so a state the phase refuses restarts the phase). */
  sampler: PhaseSampler;
}

/** Equal as data (a checkpoint's header is re-read through a schema, which may order keys differently). */
export const sameData = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The stored checkpoint of this phase, if it is one this phase can continue (same model, config, identity). */
async function loadResumable<H>(ctx: RunContext, spec: SegmentedPhase<H>): Promise<Resumed<H> | null> {
  let stored;
  try {
    stored = await ctx.host.store.loadCheckpoint(ctx.sweepId, spec.runId, spec.phase);
  } catch (error) {
    ctx.log(`${spec.runId}: ignoring the ${spec.phase} checkpoint (${(error as Error).message}); starting the phase over`);
    return null;
  }
  if (!stored) return null;
  try {
    const ckpt = decodeCheckpoint(new Uint8Array(stored.bytes));
    const identity = Object.fromEntries(Object.keys(spec.identity).map((k) => [k, ckpt.meta[k]]));
    if (!sameData(ckpt.model, ctx.model) || !sameData(ckpt.phase, spec.config) || !sameData(identity, spec.identity)) {
      ctx.log(`${spec.runId}: the stored ${spec.phase} checkpoint is from another configuration; starting the phase over`);
      return null;
    }
    return { ckpt, history: JSON.parse(String(ckpt.meta.history)) as H, seconds: Number(ckpt.meta.seconds), sampler: spec.sampler(ckpt.sampler) };
  } catch (error) {
    ctx.log(`${spec.runId}: the stored ${spec.phase} checkpoint cannot be read (${(error as Error).message}); starting the phase over`);
    return null;
  }
}

/** Runs (the rest of) a phase from its last checkpoint or from the start; throws RunCancelled when cancelled. */
export async function runSegmented<H>(ctx: RunContext, spec: SegmentedPhase<H>): Promise<SegmentedResult<H>> {
  const { engine } = ctx;
  const resumed = await loadResumable(ctx, spec);
  let history: H;
  let progress: PhaseProgress;
  let sampler: PhaseSampler;
  let seconds = resumed?.seconds ?? 0;
  let last: Checkpoint | null = resumed?.ckpt ?? null;
  if (resumed) {
    await restoreCheckpoint(engine, resumed.ckpt);
    ({ history, progress } = { history: resumed.history, progress: resumed.ckpt.progress });
    sampler = resumed.sampler;
    ctx.log(`${spec.runId}: ${spec.phase} resumes from its checkpoint at step ${progress.step} of ${spec.config.steps}`);
  } else {
    const params = spec.initialParams();
    await engine.writeParams(params);
    [history, progress, sampler] = [spec.history(), freshProgress(), spec.sampler()];
    await spec.atPoint(0, params, history);
  }
  const hooks = { ...spec.hooks(history), signal: ctx.signal, control: ctx.control };
  for (const point of checkpointSteps(spec.config.steps, ctx.sizes.points)) {
    if (point <= progress.step) continue;
    await ctx.proceed(spec.phase);
    const result = await runPhase(engine, spec.config, sampler, hooks, { from: progress, until: point });
    seconds += result.seconds;
    if (result.status === 'cancelled') throw new RunCancelled(`${spec.runId} ${spec.phase}`);
    // A diverged phase's checkpoint stays until the caller has saved the outcome (a kill in between would
    // otherwise redo the phase from step 0); the caller frees it.
    if (result.status === 'diverged') return { status: 'diverged', reason: result.reason, history, stepsDone: result.stepsDone, seconds, last };
    progress = result.progress;
    last = await captureCheckpoint(engine, { phase: spec.config, progress, sampler: sampler.getState() });
    await restoreCheckpoint(engine, last); // continue from exactly the saved numbers (see the file comment)
    await spec.atPoint(point, last.params, history);
    last.meta = { ...spec.identity, history: JSON.stringify(history), seconds };
    if (point < spec.config.steps) {
      const bytes = encodeCheckpoint(last);
      await ctx.host.store.saveCheckpoint(ctx.sweepId, spec.runId, spec.phase, bytes.buffer as ArrayBuffer, point);
    }
  }
  return { status: 'completed', history, stepsDone: progress.step, seconds, last };
}
