// Scoring a model (the engine's current parameters) on a downstream task, the same way before fine-tuning
// (zero-shot), after it, and on a small fixed test subset during it (the score curve):
//   ADD-R, KV, PIGLATIN: greedy exact match, plus teacher-forced answer NLL (nats per answer character);
//   SENT: likelihood choice between ' positive' and ' negative', accuracy;
//   DOMAIN: bits per character on the domain test text (evenly spaced windows; lower is better).
// Example tasks run on rows of the task's row length (taskRowLength: its longest prompt with its longest
// answer, maxAnswerLength for generation), not the model's whole context: the same scores for less work.
import { taskRowLength, type AnyTask } from '../data/tasks';
import { evaluateAnswerNll, evaluateBitsPerChar, evaluateChoice, evaluateExactMatch } from '../data/tasks/evaluate';
import type { Engine } from '../engine/types';
import { engineGenerate, engineLogprob, engineWindowNll } from '../train/evaluate';
import type { Score } from './results';
import { finiteOrNull } from './runnerPlan';

export interface ScoreOptions {
  /** Rows per engine call. */
  rows: number;
  /** Test examples to score (default: all); DOMAIN: windows of T+1 characters. */
  limit: number;
  /** Also the answer NLL of exact-match tasks (the final scores; the curve skips it). */
  answerNll?: boolean;
}

/** Higher is better for exact match and accuracy, lower for bits/char. */
export const higherIsBetter = (metric: Score['metric']) => metric !== 'bpc';

/** The task's score on the engine's current parameters. */
export async function scoreTask(engine: Engine, task: AnyTask, options: ScoreOptions): Promise<Score> {
  const seqLen = taskRowLength(task, engine.config.T); // DOMAIN: the context
  const batchSize = options.rows;
  const rows = { rows: batchSize, T: seqLen };
  switch (task.name) {
    case 'DOMAIN': {
      const result = await evaluateBitsPerChar(task.test, seqLen, engineWindowNll(engine, rows), { maxWindows: options.limit, batchSize });
      return { metric: 'bpc', value: finiteOrNull(result.bitsPerChar) };
    }
    case 'SENT': {
      const test = task.test.slice(0, options.limit);
      const result = await evaluateChoice(test, task.choices, engineLogprob(engine, rows), { seqLen, batchSize });
      return { metric: 'accuracy', value: result.accuracy };
    }
    default: {
      const test = task.test.slice(0, options.limit);
      const generate = engineGenerate(engine, { ...rows, terminator: task.terminator });
      const exact = await evaluateExactMatch(test, generate, { maxLen: task.maxAnswerLength, terminator: task.terminator, seqLen, batchSize });
      if (!options.answerNll) return { metric: 'exact', value: exact.accuracy };
      const nll = await evaluateAnswerNll(test, engineLogprob(engine, rows), { seqLen, batchSize });
      return { metric: 'exact', value: exact.accuracy, answerNll: finiteOrNull(nll.natsPerChar) };
    }
  }
}

/** After minus before for exact match and accuracy; before minus after for bits/char: positive is better. */
export function scoreGain(after: Score, before: Score): number | null {
  if (after.value === null || before.value === null) return null;
  return higherIsBetter(after.metric) ? after.value - before.value : before.value - after.value;
}

/** Every test example (DOMAIN: the sweep's testSize in characters, as windows of the model's context). */
export function fullTestLimit(task: AnyTask, testSize: number, T: number): number {
  return task.name === 'DOMAIN' ? Math.max(1, Math.floor(testSize / T)) : task.test.length;
}
