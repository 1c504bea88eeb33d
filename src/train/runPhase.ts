// The ONLY training loop. Pretraining and fine-tuning are two PhaseConfigs of it (phase.ts); the sampler
// decides what a batch is (windows with every target counted, or examples with answer-only loss weights).
//
// Steps are queued in chunks of config.submitSteps without awaiting any loss (the WebGPU engine encodes a
// chunk into one submit), one chunk ahead: chunk k+1 is queued and submitted before chunk k's results are
// read, so the CPU encodes while the GPU runs. Between chunks the loop reads the results back, reports them
// (onMetrics, onEval), checks divergence (phase.ts DivergenceRule) and pause / cancel. A stop therefore
// lands on a chunk boundary and one chunk after the check: the chunk already in flight is finished (and
// reported) before runPhase returns, so `progress` always counts exactly the steps the engine and the
// sampler have taken, and a checkpoint taken after runPhase returns resumes bit-identically.
//
// Validation runs on fixed batches (hooks.validation) before the first step of a fresh phase, after every
// evalEvery-th step and after the last; its loss is the mean of the batches' evalLoss (nats per counted
// token; bits per character for text, /ln 2).
import type { Batch, Engine } from '../engine/types';
import { toEngineBatch, type PhaseSampler } from './batches';
import type { PhaseControl } from './control';
import { validatePhaseConfig, type PhaseConfig, type PhaseKind } from './phase';
import { phaseLr, warmupSteps } from './schedule';

export type PhaseStatus = 'completed' | 'suspended' | 'diverged' | 'cancelled';

/** Where a phase stands: all a resumed run needs besides the engine state and the sampler state. */
export interface PhaseProgress {
  /** AdamW updates done (the next update is step + 1, its lr phaseLr(..., step)). */
  step: number;
  /** The phase's first training loss: the divergence rule's reference. */
  referenceLoss: number | null;
  /** The last divergence.window training losses (oldest first). */
  recentLosses: number[];
}

export const freshProgress = (): PhaseProgress => ({ step: 0, referenceLoss: null, recentLosses: [] });

/** One chunk's per-step numbers; step numbers are firstStep, firstStep + 1, ... (1-based updates). */
export interface StepMetrics {
  kind: PhaseKind;
  firstStep: number;
  losses: number[];
  gradNorms: number[]; // pre-clip global norms
  lrs: number[];
  /** Tokens (B*T per step) per second over this chunk, wall clock. */
  tokensPerSecond: number;
  /** Seconds since this runPhase call started. */
  elapsedSeconds: number;
}

export interface EvalMetrics {
  kind: PhaseKind;
  /** Updates done when evaluated (0: before the first). */
  step: number;
  /** Mean loss over the validation batches, nats per counted token. */
  valLoss: number;
  valBitsPerChar: number;
}

/** Hooks run between submits while the next chunk is already queued: they may record and print, but
 *  should not use the engine (read parameters after runPhase returns). */
export interface PhaseHooks {
  /** Fixed validation batches (e.g. fixedWindowBatches); none: no validation. */
  validation?: readonly Batch[];
  onMetrics?: (metrics: StepMetrics) => void;
  onEval?: (metrics: EvalMetrics) => void;
  /** Aborting cancels the phase (status 'cancelled'). */
  signal?: AbortSignal;
  control?: PhaseControl;
}

/** Which part of the phase this call runs: from a checkpoint's progress, until a step (default: the end). */
export interface PhaseSpan {
  from?: PhaseProgress;
  /** Stop after this many updates (status 'suspended' if short of config.steps). */
  until?: number;
}

export interface PhaseResult {
  status: PhaseStatus;
  /** Why the phase stopped early (diverged, cancelled), in words. */
  reason?: string;
  kind: PhaseKind;
  /** Save this (with the engine state and sampler.getState()) to resume. */
  progress: PhaseProgress;
  stepsDone: number;
  stepsThisCall: number;
  /** The last step's loss, and the mean over the last divergence.window steps. */
  lastLoss: number | null;
  recentLoss: number | null;
  /** The last validation loss of this call (nats per counted token), null if none ran. */
  lastValLoss: number | null;
  seconds: number;
  tokensPerSecond: number;
}

interface QueuedChunk {
  firstStep: number;
  losses: Promise<number>[];
  norms: Promise<number>[];
  lrs: number[];
  /** Validations queued in this chunk: before its first step (step 0 only) and after its last. */
  evals: Array<{ step: number; losses: Promise<number>[] }>;
  tokens: number;
}

/** Steps (1-based) after which validation runs: every evalEvery-th and the last; 0 is handled separately. */
function isEvalStep(config: PhaseConfig, step: number): boolean {
  return step === config.steps || (config.evalEvery > 0 && step % config.evalEvery === 0);
}

/** The next chunk's end: submitSteps on, but not past `until` or (when validating) the next validation. */
function chunkEnd(config: PhaseConfig, from: number, until: number, validating: boolean): number {
  const end = Math.min(from + config.submitSteps, until);
  if (validating) for (let s = from + 1; s < end; s++) if (isEvalStep(config, s)) return s;
  return end;
}

/** A queued result that is always awaited later; the no-op catch keeps an engine error that rejects it
 *  while an earlier result is being awaited from counting as unhandled (the awaited one reports it). */
function queued<T>(result: Promise<T>): Promise<T> {
  result.catch(() => {});
  return result;
}

function queueEval(engine: Engine, validation: readonly Batch[], step: number) {
  return { step, losses: validation.map((batch) => queued(engine.evalLoss(batch))) };
}

/** The step's backward; if it fails, the forward's error when that failed too (a refused batch leaves no
 *  activations, so backward's "needs forward() first" would hide the real cause). */
async function backwardAfter(engine: Engine, loss: Promise<number>): Promise<void> {
  try {
    await engine.backward();
  } catch (error) {
    throw await loss.then(() => error, (forwardError: unknown) => forwardError);
  }
}

/** Queues steps [from, end) and the validation due after them, without awaiting any result. */
async function queueChunk(
  engine: Engine, config: PhaseConfig, sampler: PhaseSampler, from: number, end: number, validation: readonly Batch[],
): Promise<QueuedChunk> {
  const { batchSize: B, seqLen: T } = sampler.config;
  const chunk: QueuedChunk = { firstStep: from + 1, losses: [], norms: [], lrs: [], evals: [], tokens: 0 };
  if (from === 0 && validation.length) chunk.evals.push(queueEval(engine, validation, 0));
  for (let t = from; t < end; t++) {
    const lr = phaseLr(config.schedule, config.steps, t);
    const loss = queued(engine.forward(toEngineBatch(sampler.next(), B, T)));
    chunk.losses.push(loss);
    await backwardAfter(engine, loss);
    chunk.norms.push(queued(engine.step({ ...config.adam, lr, weightDecay: config.weightDecay, step: t + 1 })));
    chunk.lrs.push(lr);
    chunk.tokens += B * T;
  }
  if (validation.length && isEvalStep(config, end)) chunk.evals.push(queueEval(engine, validation, end));
  void engine.flush?.();
  return chunk;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The divergence rule (phase.ts) on one step's numbers; updates progress. Returns the reason, or null. */
function checkStep(config: PhaseConfig, V: number, progress: PhaseProgress, step: number, loss: number, norm: number): string | null {
  if (!Number.isFinite(loss)) return `training loss is ${loss} at step ${step}`;
  if (!Number.isFinite(norm)) return `gradient norm is ${norm} at step ${step}`;
  progress.referenceLoss ??= loss;
  const { window, lossFactor } = config.divergence;
  progress.recentLosses.push(loss);
  if (progress.recentLosses.length > window) progress.recentLosses.shift();
  if (step <= warmupSteps(config.schedule, config.steps) || progress.recentLosses.length < window) return null;
  const recent = mean(progress.recentLosses);
  const limit = Math.max(lossFactor * progress.referenceLoss, Math.log(V));
  if (recent <= limit) return null;
  return `mean training loss over steps ${step - window + 1}-${step} is ${recent.toFixed(4)}, above ` +
    `max(${lossFactor} x the first loss ${progress.referenceLoss.toFixed(4)}, ln V = ${Math.log(V).toFixed(4)}) = ${limit.toFixed(4)}`;
}

/**
 * Runs (part of) a phase on an engine whose parameters (and, when resuming, moments) are already in place,
 * drawing batches from `sampler` (positioned at `span.from.step`). Never continues past a divergence.
 */
export async function runPhase(
  engine: Engine, config: PhaseConfig, sampler: PhaseSampler, hooks: PhaseHooks = {}, span: PhaseSpan = {},
): Promise<PhaseResult> {
  validatePhaseConfig(config);
  const progress: PhaseProgress = structuredClone(span.from ?? freshProgress());
  const samplerAt = sampler.getState().step;
  if (samplerAt !== progress.step) {
    throw new Error(`runPhase: the sampler is at batch ${samplerAt} but the phase is at step ${progress.step} (restore it with fromState(checkpoint.sampler))`);
  }
  const until = Math.min(span.until ?? config.steps, config.steps);
  const validation = hooks.validation ?? [];
  const started = performance.now();
  const startStep = progress.step;
  let lastSettled = started;
  let lastLoss: number | null = null;
  let lastValLoss: number | null = null;
  let stop: { status: PhaseStatus; reason: string } | null = null;

  /** Reads a chunk's results, reports them (validation first, so a progress line can show the fresh value),
   *  applies the divergence rule. */
  const settle = async (chunk: QueuedChunk): Promise<string | null> => {
    const [losses, norms] = await Promise.all([Promise.all(chunk.losses), Promise.all(chunk.norms)]);
    const evals = await Promise.all(chunk.evals.map(async (point) => ({ step: point.step, valLoss: mean(await Promise.all(point.losses)) })));
    const now = performance.now();
    const seconds = Math.max(1e-9, (now - lastSettled) / 1000);
    lastSettled = now;
    let reason: string | null = null;
    losses.forEach((loss, i) => {
      reason ??= checkStep(config, engine.config.V, progress, chunk.firstStep + i, loss, norms[i]);
    });
    for (const { step, valLoss } of evals) {
      lastValLoss = valLoss;
      hooks.onEval?.({ kind: config.kind, step, valLoss, valBitsPerChar: valLoss / Math.LN2 });
      if (!Number.isFinite(valLoss)) reason ??= `validation loss is ${valLoss} after step ${step}`;
    }
    if (losses.length) {
      lastLoss = losses.at(-1)!;
      hooks.onMetrics?.({
        kind: config.kind, firstStep: chunk.firstStep, losses, gradNorms: norms, lrs: chunk.lrs,
        tokensPerSecond: chunk.tokens / seconds, elapsedSeconds: (now - started) / 1000,
      });
    }
    return reason;
  };

  let done = progress.step; // steps queued so far (every queued step has run by the time runPhase returns)
  let inFlight: QueuedChunk | null = null;
  while (!stop) {
    if (hooks.signal?.aborted || hooks.control?.state === 'cancelled') {
      stop = { status: 'cancelled', reason: `cancelled after ${done} of ${config.steps} steps` };
      break;
    }
    if (hooks.control?.state === 'paused') {
      const reason = inFlight ? await settle(inFlight) : null;
      inFlight = null;
      if (reason) stop = { status: 'diverged', reason };
      else await hooks.control.whilePaused(hooks.signal);
      continue;
    }
    if (done >= until) break;
    const end = chunkEnd(config, done, until, validation.length > 0);
    const chunk = await queueChunk(engine, config, sampler, done, end, validation);
    done = end;
    const reason = inFlight ? await settle(inFlight) : null;
    inFlight = chunk;
    if (reason) stop = { status: 'diverged', reason };
  }
  if (inFlight) {
    const reason = await settle(inFlight);
    if (reason && stop?.status !== 'diverged') stop = { status: 'diverged', reason };
  }
  progress.step = done;

  const seconds = (performance.now() - started) / 1000;
  const status: PhaseStatus = stop?.status ?? (done >= config.steps ? 'completed' : 'suspended');
  const { batchSize: B, seqLen: T } = sampler.config;
  return {
    status,
    ...(stop ? { reason: stop.reason } : {}),
    kind: config.kind,
    progress,
    stepsDone: done,
    stepsThisCall: done - startStep,
    lastLoss,
    recentLoss: progress.recentLosses.length ? mean(progress.recentLosses) : null,
    lastValLoss,
    seconds,
    tokensPerSecond: ((done - startStep) * B * T) / Math.max(seconds, 1e-9),
  };
}
