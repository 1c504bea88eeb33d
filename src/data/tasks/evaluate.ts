// Evaluators. Each takes the examples and an engine callback (types.ts) and returns plain numbers, so a CPU
// reference, the WebGPU engine or a hand-written oracle (the tests) plug in alike.
import { fitPrompt } from './format';
import type { ChoiceExample, GenerateFn, LogprobFn, PromptContinuation, TaskExample, WindowNllFn } from './types';

export interface EvalOptions {
  /** Prompts per callback call (default 64). */
  batchSize?: number;
  /** Row length T (a task's row length, taskRowLength, or the model's context): prompts are left-truncated to
   *  fit it (fitPrompt); omit to pass prompts whole. */
  seqLen?: number;
}

/** Splits `items` into batches and concatenates the callback's answers, checking their count. */
async function inBatches<T, R>(items: readonly T[], size: number, call: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    const answers = await call(batch);
    if (answers.length !== batch.length) throw new Error(`evaluator: callback returned ${answers.length} results for ${batch.length}`);
    out.push(...answers);
  }
  return out;
}

/** The output up to and including the first terminator (what greedy decoding "answered"). */
export function answerPart(output: string, terminator: string): string {
  const end = output.indexOf(terminator);
  return end < 0 ? output : output.slice(0, end + terminator.length);
}

export function isExactMatch(output: string, answer: string, terminator: string): boolean {
  return answerPart(output, terminator) === answer;
}

export interface ExactMatchResult {
  accuracy: number;
  correct: number;
  total: number;
  /** The model's answers (cut at the terminator), in example order. */
  outputs: string[];
}

export interface ExactMatchEvalOptions extends EvalOptions {
  maxLen: number; // the task's maxAnswerLength
  terminator: string;
}

/** Greedy exact match: correct iff the generated text, cut after the first terminator, equals the answer. */
export async function evaluateExactMatch(
  examples: readonly TaskExample[],
  generate: GenerateFn,
  options: ExactMatchEvalOptions,
): Promise<ExactMatchResult> {
  const { maxLen, terminator, seqLen } = options;
  const prompts = examples.map((ex) => (seqLen ? fitPrompt(ex.prompt, maxLen, seqLen) : ex.prompt));
  const raw = await inBatches(prompts, options.batchSize ?? 64, (batch) => generate(batch, maxLen));
  const outputs = raw.map((out) => answerPart(out, terminator));
  const correct = outputs.filter((out, i) => out === examples[i].answer).length;
  return { accuracy: examples.length ? correct / examples.length : 0, correct, total: examples.length, outputs };
}

function continuationItems(examples: readonly TaskExample[], answers: (ex: TaskExample) => string[], seqLen?: number) {
  return examples.flatMap((ex) =>
    answers(ex).map((continuation): PromptContinuation => ({
      prompt: seqLen ? fitPrompt(ex.prompt, continuation.length, seqLen) : ex.prompt,
      continuation,
    })),
  );
}

export interface AnswerNllResult {
  /** Teacher-forced negative log-likelihood per answer character, in nats. */
  natsPerChar: number;
  answerChars: number;
}

/** Answer NLL: sum over examples of -ln p(answer | prompt), divided by the number of answer characters. */
export async function evaluateAnswerNll(
  examples: readonly TaskExample[],
  logprob: LogprobFn,
  options: EvalOptions = {},
): Promise<AnswerNllResult> {
  const items = continuationItems(examples, (ex) => [ex.answer], options.seqLen);
  const logprobs = await inBatches(items, options.batchSize ?? 64, logprob);
  const answerChars = items.reduce((sum, item) => sum + item.continuation.length, 0);
  const nats = -logprobs.reduce((sum, lp) => sum + lp, 0);
  return { natsPerChar: answerChars ? nats / answerChars : 0, answerChars };
}

export interface ChoiceResult {
  accuracy: number;
  correct: number;
  total: number;
  /** Index of the chosen continuation per example. */
  predictions: number[];
}

/** Likelihood comparison: the prediction is the choice with the highest total log-probability (ties: first). */
export async function evaluateChoice(
  examples: readonly ChoiceExample[],
  choices: readonly string[],
  logprob: LogprobFn,
  options: EvalOptions = {},
): Promise<ChoiceResult> {
  const items = continuationItems(examples, () => [...choices], options.seqLen);
  const logprobs = await inBatches(items, options.batchSize ?? 64, logprob);
  const predictions = examples.map((_, i) => {
    const scores = logprobs.slice(i * choices.length, (i + 1) * choices.length);
    return scores.indexOf(Math.max(...scores));
  });
  const correct = predictions.filter((p, i) => p === examples[i].label).length;
  return { accuracy: examples.length ? correct / examples.length : 0, correct, total: examples.length, predictions };
}

export interface BitsPerCharResult {
  bitsPerChar: number;
  chars: number;
  windows: number;
}

/**
 * Bits per character of a token stream: `maxWindows` windows of seqLen+1 tokens at evenly spaced window
 * positions (stride-seqLen grid, so the sample is fixed for a given stream), teacher forced.
 */
export async function evaluateBitsPerChar(
  tokens: Uint8Array,
  seqLen: number,
  windowNll: WindowNllFn,
  options: { maxWindows?: number; batchSize?: number } = {},
): Promise<BitsPerCharResult> {
  const available = Math.floor((tokens.length - 1) / seqLen);
  const count = Math.min(available, options.maxWindows ?? available);
  const windows = Array.from({ length: count }, (_, i) => {
    const start = Math.floor((i * available) / count) * seqLen;
    return tokens.subarray(start, start + seqLen + 1);
  });
  const nlls = await inBatches(windows, options.batchSize ?? 64, windowNll);
  const chars = count * seqLen;
  const nats = nlls.reduce((sum, x) => sum + x, 0);
  return { bitsPerChar: chars ? nats / chars / Math.LN2 : 0, chars, windows: count };
}

/** Adapts a one-prompt-at-a-time generator to the batched GenerateFn. */
export function fromSingleGenerate(one: (prompt: string, maxLen: number) => Promise<string>): GenerateFn {
  return async (prompts, maxLen) => {
    const out: string[] = [];
    for (const prompt of prompts) out.push(await one(prompt, maxLen));
    return out;
  };
}

/** Adapts a one-item-at-a-time scorer to the batched LogprobFn. */
export function fromSingleLogprob(one: (prompt: string, continuation: string) => Promise<number>): LogprobFn {
  return async (items) => {
    const out: number[] = [];
    for (const item of items) out.push(await one(item.prompt, item.continuation));
    return out;
  };
}
