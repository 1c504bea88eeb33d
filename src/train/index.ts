// src/train's public API (the lab runner, the worker and the CLI import from here).
export { scheduledLr, phaseLr, warmupSteps, pretrainSchedule, finetuneSchedule, FINETUNE_SCHEDULE_SHAPE, type LrSchedule } from './schedule';
export {
  pretrainPhase, finetunePhase, validatePhaseConfig, DIVERGENCE_DEFAULTS, FINETUNE_DEFAULTS,
  type PhaseConfig, type PhaseKind, type AdamConstants, type DivergenceRule, type FinetuneSize,
} from './phase';
export { toEngineBatch, fixedWindowBatches, type PhaseSampler, type SamplerState } from './batches';
export { PhaseControl, type ControlState } from './control';
export {
  runPhase, freshProgress,
  type PhaseStatus, type PhaseProgress, type PhaseHooks, type PhaseSpan, type PhaseResult, type StepMetrics, type EvalMetrics,
} from './runPhase';
export {
  encodeCheckpoint, decodeCheckpoint, captureCheckpoint, restoreCheckpoint, CheckpointError, CHECKPOINT_VERSION,
  type Checkpoint, type CheckpointMeta, type CheckpointState,
} from './checkpoint';
export {
  validationLoss, evaluationBitsPerChar, engineGenerate, engineLogprob, engineWindowNll, logProbAt,
  type EngineEvalOptions, type GenerateOptions,
} from './evaluate';
export {
  estimateTrainingMemory, checkTrainingMemory, assertTrainingMemoryFits, MemoryFitError,
  type BatchShape, type MemoryEstimate, type MemoryLimits, type MemoryCheck,
} from './memory';
