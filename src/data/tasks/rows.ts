// A task's row length: the tokens one engine row must hold for any of the task's examples. Fine-tuning
// (ExampleSampler) and task scoring (greedy exact match, answer NLL, choice likelihood) run on rows of this
// length instead of the model's whole context T. Rows are left-aligned with PAD after (format.ts), attention
// is causal and the loss mask and the scorers read answer positions only, so the padding past an example
// never changes its numbers: shorter rows give the same losses and scores for less work (a test checks it).
// ADD-R needs 16 positions where the lab preset's context is 128; SENT's 211-character prompts are cut to the
// context (fitPrompt) and keep rows of T; DOMAIN trains and scores on windows of T and keeps T.
import type { AnyTask, ChoiceTask, ExactMatchTask } from './types';

/** Row lengths are rounded up to a multiple of this: fewer distinct batch shapes, each GPU-friendly. */
export const ROW_MULTIPLE = 8;

/**
 * Input tokens a row needs for a prompt followed by `continuation` characters to predict: all but the last
 * character, which is only ever a target (prompt + continuation is at most T + 1 tokens, as in fitPrompt).
 */
export const rowTokens = (promptChars: number, continuationChars: number): number => promptChars + continuationChars - 1;

/** longestRow per task object: scoring calls it at every curve point, and a task holds up to ~10^5 examples. */
const longestRows = new WeakMap<ExactMatchTask | ChoiceTask, number>();

/** The most input tokens any example needs: training on its answer, and for exact-match tasks greedy
 *  generation of a full maxAnswerLength (terminator included); for SENT, scoring every choice. */
function longestRow(task: ExactMatchTask | ChoiceTask): number {
  let longest = longestRows.get(task);
  if (longest === undefined) longestRows.set(task, (longest = scanLongestRow(task)));
  return longest;
}

function scanLongestRow(task: ExactMatchTask | ChoiceTask): number {
  const scored = task.name === 'SENT' ? Math.max(...task.choices.map((c) => c.length)) : task.maxAnswerLength;
  let longest = 1;
  for (const examples of [task.train, task.test]) {
    for (const { prompt, answer } of examples) longest = Math.max(longest, rowTokens(prompt.length, Math.max(answer.length, scored)));
  }
  return longest;
}

/**
 * The row length of a task's fine-tuning batches and scoring batches on a model of context T: the longest
 * row any of its examples needs (longestRow), rounded up to ROW_MULTIPLE, at most T (where prompts are then
 * left-truncated as before, fitPrompt). DOMAIN: T (text windows fill the context).
 */
export function taskRowLength(task: AnyTask, T: number): number {
  if (!(Number.isInteger(T) && T > 0)) throw new RangeError(`taskRowLength: context T=${T} must be a positive integer`);
  if (task.name === 'DOMAIN') return T;
  return Math.min(T, Math.ceil(longestRow(task) / ROW_MULTIPLE) * ROW_MULTIPLE);
}
