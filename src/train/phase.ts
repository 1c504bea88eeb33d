// A training phase's configuration: typed data with every default in one place (style.md 7). Pretraining and
// fine-tuning are two configs of the one loop (runPhase.ts); a phase config is JSON and goes into checkpoints.
import { ADAMW_DEFAULTS } from '../engine/types';
import { STEPS_PER_SUBMIT } from '../engine/webgpu';
import type { TrainDefaults } from '../model/config';
import { finetuneSchedule, pretrainSchedule, type LrSchedule } from './schedule';

export type PhaseKind = 'pretrain' | 'finetune';

/** AdamW's constants (betas, eps, global-norm clip); lr, decay and t come from the phase and the step. */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  eps: number;
  maxNorm: number;
}

/**
 * When a phase counts as diverged (runPhase stops it, status 'diverged'):
 *  - at once, any non-finite loss, gradient norm or validation loss;
 *  - after warmup, the mean loss of the last `window` steps above max(lossFactor x the phase's first loss,
 *    ln V). ln V is the loss of a model that predicts the uniform distribution: a model that knows nothing.
 *    A run above both is not "learning badly" but blowing up. The uniform floor keeps lambda 10, which
 *    shrinks the weights towards zero and so the loss towards ln V ("destroys pretraining", a result the
 *    lab must record), from being called divergence; the mean over a window keeps one noisy batch (a
 *    fine-tuning batch has few answer tokens) from tripping it.
 */
export interface DivergenceRule {
  lossFactor: number;
  window: number;
}

export interface PhaseConfig {
  kind: PhaseKind;
  /** AdamW updates in the whole phase (the schedule's length). */
  steps: number;
  schedule: LrSchedule;
  /** lambda: PyTorch's decoupled decay, multiplied by the scheduled lr, on the table's decayed tensors. */
  weightDecay: number;
  adam: AdamConstants;
  /** Validation every this many steps (and at the first and last step); 0: only at the first and last. */
  evalEvery: number;
  /** Steps queued per submit: metrics arrive, and pause/cancel are checked, once per this many steps. */
  submitSteps: number;
  divergence: DivergenceRule;
}

export const DIVERGENCE_DEFAULTS: DivergenceRule = { lossFactor: 2, window: 8 };

/** science.md's fine-tuning protocol: no decay, lr about 1/20 of the pretraining peak, 3 epochs, batch 64. */
export const FINETUNE_DEFAULTS = { lrOfPretrainPeak: 1 / 20, weightDecay: 0, epochs: 3, batchSize: 64 } as const;

const COMMON = {
  adam: { beta1: ADAMW_DEFAULTS.beta1, beta2: ADAMW_DEFAULTS.beta2, eps: ADAMW_DEFAULTS.eps, maxNorm: ADAMW_DEFAULTS.maxNorm },
  submitSteps: STEPS_PER_SUBMIT,
  divergence: DIVERGENCE_DEFAULTS,
};

/** About 20 validation points per phase. */
function defaultEvalEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 20));
}

/** Pretraining at a preset's defaults (its step budget unless `steps` says otherwise) and decay lambda. */
export function pretrainPhase(train: TrainDefaults, weightDecay: number, overrides: Partial<PhaseConfig> = {}): PhaseConfig {
  const steps = overrides.steps ?? train.steps;
  const config: PhaseConfig = {
    kind: 'pretrain', steps, schedule: pretrainSchedule(train), weightDecay, evalEvery: defaultEvalEvery(steps), ...COMMON, ...overrides,
  };
  validatePhaseConfig(config);
  return config;
}

export interface FinetuneSize {
  /** The pretraining peak lr; the fine-tuning peak is FINETUNE_DEFAULTS.lrOfPretrainPeak of it. */
  pretrainPeakLr: number;
  /** Full batches per epoch of the task's training set (ExampleSampler.batchesPerEpoch). */
  batchesPerEpoch: number;
  epochs?: number;
}

/** Fine-tuning: the fixed lr for every pretrained model, no decay, cosine with 10% warmup to 0. */
export function finetunePhase(size: FinetuneSize, overrides: Partial<PhaseConfig> = {}): PhaseConfig {
  const steps = overrides.steps ?? size.batchesPerEpoch * (size.epochs ?? FINETUNE_DEFAULTS.epochs);
  const config: PhaseConfig = {
    kind: 'finetune',
    steps,
    schedule: finetuneSchedule(size.pretrainPeakLr * FINETUNE_DEFAULTS.lrOfPretrainPeak),
    weightDecay: FINETUNE_DEFAULTS.weightDecay,
    evalEvery: defaultEvalEvery(steps),
    ...COMMON,
    ...overrides,
  };
  validatePhaseConfig(config);
  return config;
}

/** Loud, named errors for configs that cannot run. */
export function validatePhaseConfig(c: PhaseConfig): void {
  const fail = (why: string) => {
    throw new Error(`PhaseConfig (${c.kind}): ${why}`);
  };
  const isCount = (n: number) => Number.isInteger(n) && n >= 0;
  if (!isCount(c.steps) || c.steps === 0) fail(`steps ${c.steps} must be a positive integer`);
  if (!(Number.isFinite(c.schedule.peakLr) && c.schedule.peakLr > 0)) fail(`peakLr ${c.schedule.peakLr} must be a finite number > 0`);
  if (!(c.schedule.warmupFrac >= 0 && c.schedule.warmupFrac <= 1)) fail(`warmupFrac ${c.schedule.warmupFrac} must be in [0, 1]`);
  if (!(c.schedule.minLrFrac >= 0 && c.schedule.minLrFrac <= 1)) fail(`minLrFrac ${c.schedule.minLrFrac} must be in [0, 1]`);
  if (!(Number.isFinite(c.weightDecay) && c.weightDecay >= 0)) fail(`weightDecay ${c.weightDecay} must be a finite number >= 0`);
  if (!isCount(c.evalEvery)) fail(`evalEvery ${c.evalEvery} must be a non-negative integer`);
  if (!isCount(c.submitSteps) || c.submitSteps === 0) fail(`submitSteps ${c.submitSteps} must be a positive integer`);
  if (!(c.divergence.lossFactor > 1)) fail(`divergence.lossFactor ${c.divergence.lossFactor} must exceed 1`);
  if (!isCount(c.divergence.window) || c.divergence.window === 0) fail(`divergence.window ${c.divergence.window} must be a positive integer`);
}
