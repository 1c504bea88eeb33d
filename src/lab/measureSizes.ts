// How much each measurement of a run reads, per preset: its own module (type-only imports) so that the
// results tools read it under tsx without the runner's shaders.
import type { PresetName } from '../model/config';

/**
 * How much each measurement reads. Part of the plan (so of the results' meaning), fixed per preset: enough
 * windows and examples for a stable number at the lab presets; a handful on the tiny preset (tests, smoke runs).
 */
export interface MeasureSizes {
  /** Rows per evaluation batch (greedy decoding, likelihoods, probe features, bits/char windows). */
  rows: number;
  /** Validation windows for base bits/char and forgetting (evaluationBitsPerChar's evenly spaced windows). */
  valWindows: number;
  /** Batches (of pretrain.batch windows) for validation during pretraining, seen-vs-unseen and perturbation. */
  valBatches: number;
  /** Probe examples per class: training split, test split. */
  probeTrain: number;
  probeTest: number;
  /** Checkpoints per phase: weight norms (pretraining) and the score curve (fine-tuning) are taken there. */
  points: number;
  /** Test examples (DOMAIN: windows) scored at each fine-tuning point: the score curve and stepsTo50. */
  curveExamples: number;
  /** Independent Gaussian perturbations averaged for the sensitivity measurement. */
  perturbDraws: number;
}

const LAB_SIZES: MeasureSizes = { rows: 64, valWindows: 256, valBatches: 8, probeTrain: 500, probeTest: 250, points: 10, curveExamples: 128, perturbDraws: 3 };

export const MEASURE_SIZES: Record<PresetName, MeasureSizes> = {
  tiny: { rows: 8, valWindows: 8, valBatches: 2, probeTrain: 8, probeTest: 4, points: 2, curveExamples: 8, perturbDraws: 1 },
  lab: LAB_SIZES,
  tpp20: LAB_SIZES,
  overtrained: LAB_SIZES,
};
