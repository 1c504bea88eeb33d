// How long one run of a sweep will take on this device, from the runs it has already finished: pretraining at
// the measured seconds per token times the tokens the sweep plans, the base measurements as they took, and
// each task's fine-tuning at its measured seconds scaled by examples x epochs. Only runs of the same preset on this same device count (another
// model size or GPU runs at another speed: imported or shared results come from elsewhere); with none, or a task
// never fine-tuned here, there is no estimate.
import type { Results } from './results';
import { pretrainSteps, runModel, type SweepDefinition } from './sweep';

/**
 * Seconds one run of `sweep` should take on `device` (describeAdapter of this page's adapter), judged from
 * `done`'s finished runs on that device; undefined when unknown.
 */
export function estimateSecondsPerRun(done: Results | undefined, sweep: SweepDefinition, device: string | undefined): number | undefined {
  if (!done || !device || done.sweep.preset !== sweep.preset) return undefined;
  const timed = done.runs.filter((r) => r.status === 'done' && r.device === device && r.pretrain && r.pretrain.tokens > 0);
  if (!timed.length) return undefined;
  const secondsPerToken = timed.reduce((s, r) => s + r.pretrain!.seconds, 0) / timed.reduce((s, r) => s + r.pretrain!.tokens, 0);
  const plannedTokens = pretrainSteps(sweep) * sweep.pretrain.batch * runModel(sweep).T;
  let seconds = secondsPerToken * plannedTokens;
  // Measuring the base model (results since base.seconds was recorded; older ones leave it out of the estimate).
  const measuring = timed.flatMap((r) => (r.base?.seconds ? [Object.values(r.base.seconds).reduce((a, b) => a + b, 0)] : []));
  if (measuring.length) seconds += measuring.reduce((a, b) => a + b, 0) / measuring.length;
  for (const task of sweep.tasks) {
    const measured = done.sweep.tasks.find((t) => t.name === task.name);
    const times = timed.flatMap((r) => r.finetunes.filter((f) => f.task === task.name && f.status === 'done').map((f) => f.seconds));
    if (!measured || !times.length) return undefined;
    const work = (t: { trainSize: number }, epochs: number) => t.trainSize * epochs;
    seconds += (times.reduce((a, b) => a + b, 0) / times.length) * (work(task, sweep.finetune.epochs) / work(measured, done.sweep.finetune.epochs));
  }
  return seconds;
}
