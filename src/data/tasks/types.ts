// Shared shapes of the downstream tasks and the callbacks an engine plugs into their evaluators.
// Callbacks are batched (one call scores many prompts) so a GPU engine can fill its batch; fromSingle*
// in evaluate.ts adapts one-at-a-time functions.

export type TaskName = 'ADD-R' | 'KV' | 'SENT' | 'DOMAIN' | 'PIGLATIN';

/** One example: the model reads `prompt` and is trained (loss mask) and scored on `answer` only. */
export interface TaskExample {
  prompt: string;
  answer: string;
}

/** Tasks scored by greedy exact match; every answer ends with `terminator`. */
export interface ExactMatchTask {
  name: 'ADD-R' | 'KV' | 'PIGLATIN';
  train: TaskExample[];
  test: TaskExample[];
  /** Longest answer the task can have, terminator included: the generation budget. */
  maxAnswerLength: number;
  terminator: string;
}

export interface ChoiceExample extends TaskExample {
  /** Index into the task's `choices` of the right continuation; `answer` is choices[label]. */
  label: number;
}

/** SENT: scored by comparing the likelihood of each choice after the prompt. */
export interface ChoiceTask {
  name: 'SENT';
  train: ChoiceExample[];
  test: ChoiceExample[];
  choices: readonly string[];
}

/** DOMAIN: continued pretraining on `train`, bits/char on `test`, forgetting on `validation`. */
export interface DomainTask {
  name: 'DOMAIN';
  train: Uint8Array;
  test: Uint8Array;
  /** The pretraining validation split (forgetting = its loss after minus before fine-tuning). */
  validation: Uint8Array;
}

/** Every task: ADD-R, KV and PIGLATIN (exact match), SENT (choice), DOMAIN (text). */
export type AnyTask = ExactMatchTask | ChoiceTask | DomainTask;

/** Options every generated or loaded example task takes. */
export interface TaskSizeOptions {
  seed: number;
  trainSize: number;
  testSize: number;
}

/**
 * Greedy decoding: for each prompt, the characters the model generates, at most `maxLen` (it may stop early
 * after generating the terminator).
 */
export type GenerateFn = (prompts: readonly string[], maxLen: number) => Promise<string[]>;

export interface PromptContinuation {
  prompt: string;
  continuation: string;
}

/** Teacher forcing: for each item, the sum over continuation characters of ln p(char | prompt, earlier chars). */
export type LogprobFn = (items: readonly PromptContinuation[]) => Promise<number[]>;

/**
 * Teacher forcing on raw text: for each window (n+1 tokens), the summed negative log-likelihood in nats of
 * tokens 1..n given the tokens before them.
 */
export type WindowNllFn = (windows: readonly Uint8Array[]) => Promise<number[]>;
