// Learning-rate schedules of the two phases. The curve itself has one owner, src/model/config.ts's
// scheduledLr (linear warmup over warmupFrac of the steps, then cosine down to minLrFrac of the peak); this
// file only names the two parameter sets science.md gives:
//   pretraining: 10% warmup, cosine to 10% of the peak (the paper's pretraining; a preset's TrainDefaults);
//   fine-tuning: 10% warmup, cosine to 0 ("cosine with 10% warmup": the usual fine-tuning scheduler, e.g.
//                Hugging Face's get_cosine_schedule_with_warmup, ends at zero).
import { scheduledLr, type TrainDefaults } from '../model/config';

export { scheduledLr };

/** A schedule's shape; the step count comes from the phase. */
export type LrSchedule = Pick<TrainDefaults, 'peakLr' | 'warmupFrac' | 'minLrFrac'>;

export const FINETUNE_SCHEDULE_SHAPE = { warmupFrac: 0.1, minLrFrac: 0 } as const;

/** The lr of update `t` (0-based) of a phase of `steps` updates. */
export function phaseLr(schedule: LrSchedule, steps: number, t: number): number {
  return scheduledLr(t, { ...schedule, steps });
}

/** Updates spent in warmup (the same rounding as scheduledLr). */
export function warmupSteps(schedule: LrSchedule, steps: number): number {
  return Math.max(1, Math.round(schedule.warmupFrac * steps));
}

/** The pretraining schedule of a preset (its TrainDefaults own the numbers). */
export function pretrainSchedule(train: LrSchedule): LrSchedule {
  return { peakLr: train.peakLr, warmupFrac: train.warmupFrac, minLrFrac: train.minLrFrac };
}

/** The fine-tuning schedule at a given peak. */
export function finetuneSchedule(peakLr: number): LrSchedule {
  return { peakLr, ...FINETUNE_SCHEDULE_SHAPE };
}
