// Evaluation on an Engine: validation loss on fixed batches, bits per character over a token stream, and
// adapters that turn an engine into the data layer's evaluator callbacks (src/data/tasks/types.ts):
// GenerateFn (greedy decoding), LogprobFn (teacher-forced continuation likelihood), WindowNllFn.
//
// Every adapter runs the engine on (rows, T) batches, one item per row, LEFT-ALIGNED (row r holds its tokens
// at positions 0..n-1, then PAD): the format fine-tuning trains on (ExampleSampler). T is options.T, a task's
// row length (data/tasks/rows.ts), or by default the model's context. Attention is causal and rows are
// independent, so positions < n never see the padding after them: an item's numbers depend neither on what
// else shares the batch nor on how far its row is padded (tests check both). Left padding would move each
// prompt's RoPE positions and put PAD tokens inside its context instead. Missing rows are PAD rows.
// Probabilities come from the logits (readLogits) through a float64 log-softmax.
import { decode, encode, isTextId, PAD_ID } from '../data/tokenizer';
import { evaluateBitsPerChar, type BitsPerCharResult } from '../data/tasks/evaluate';
import type { GenerateFn, LogprobFn, WindowNllFn } from '../data/tasks/types';
import type { Batch, Engine } from '../engine/types';

export interface EngineEvalOptions {
  /** Rows per engine call (its batch B); default 64, the data evaluators' default batch. */
  rows?: number;
  /** Tokens per row (the batch's T): a task's row length (taskRowLength); default and at most the model's context. */
  T?: number;
}

const DEFAULT_ROWS = 64;

/** The row shape of an adapter: B rows of T tokens, T checked against the model's context. */
function rowShape(engine: Engine, options: EngineEvalOptions): { B: number; T: number } {
  const T = options.T ?? engine.config.T;
  if (!(Number.isInteger(T) && T > 0 && T <= engine.config.T)) throw new RangeError(`evaluation rows of T=${T} tokens: need 0 < T <= the model's context ${engine.config.T}`);
  return { B: options.rows ?? DEFAULT_ROWS, T };
}

/** Mean evalLoss over fixed batches (e.g. fixedWindowBatches): nats per counted token. */
export async function validationLoss(engine: Engine, batches: readonly Batch[]): Promise<number> {
  if (!batches.length) throw new Error('validationLoss: no batches');
  const losses = await Promise.all(batches.map((b) => engine.evalLoss(b)));
  return losses.reduce((a, b) => a + b, 0) / losses.length;
}

const lastUse = new WeakMap<Engine, Promise<unknown>>();

/** Runs `work` after every earlier exclusive() work on the same engine: a forward and the readLogits of its
 *  logits must not interleave with another caller's forward (e.g. evaluators awaited with Promise.all). */
function exclusive<R>(engine: Engine, work: () => Promise<R>): Promise<R> {
  const next = (lastUse.get(engine) ?? Promise.resolve()).then(work, work);
  lastUse.set(engine, next.catch(() => {}));
  return next;
}

/** Runs up to B left-aligned rows (each at most T tokens) and returns the logits (B*T, V). */
function forwardRows(engine: Engine, rows: readonly Uint8Array[], B: number, T: number): Promise<Float32Array> {
  return exclusive(engine, () => forwardRowsNow(engine, rows, B, T));
}

async function forwardRowsNow(engine: Engine, rows: readonly Uint8Array[], B: number, T: number): Promise<Float32Array> {
  if (rows.length > B) throw new Error(`forwardRows: ${rows.length} rows for a batch of ${B}`);
  const tokens = new Uint8Array(B * T).fill(PAD_ID);
  rows.forEach((row, r) => {
    if (row.length > T) throw new RangeError(`evaluation row ${r}: ${row.length} tokens do not fit rows of T=${T}`);
    tokens.set(row, r * T);
  });
  // Targets and weights do not matter (the logits are what is read); zero weights make the loss 0.
  await engine.evalLoss({ B, T, tokens, targets: new Uint8Array(B * T), weights: new Float32Array(B * T) });
  return engine.readLogits();
}

/** ln p(target) at one position from its V logits, in float64. */
export function logProbAt(logits: Float32Array, position: number, V: number, target: number): number {
  const row = logits.subarray(position * V, (position + 1) * V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = 0; i < V; i++) sum += Math.exp(row[i] - max);
  return row[target] - max - Math.log(sum);
}

/** Runs `items` through the engine B rows of T at a time; `score` reads one item's answer from its row's logits. */
async function inRowGroups<I, R>(
  engine: Engine, items: readonly I[], { B, T }: { B: number; T: number }, toRow: (item: I) => Uint8Array, score: (item: I, logits: Float32Array, rowStart: number) => R,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += B) {
    const group = items.slice(i, i + B);
    const logits = await forwardRows(engine, group.map(toRow), B, T);
    group.forEach((item, r) => out.push(score(item, logits, r * T)));
  }
  return out;
}

/** WindowNllFn: per window of n+1 tokens (n <= T), the summed NLL in nats of tokens 1..n. */
export function engineWindowNll(engine: Engine, options: EngineEvalOptions = {}): WindowNllFn {
  const { V } = engine.config;
  const shape = rowShape(engine, options);
  return (windows) =>
    inRowGroups(engine, windows, shape, (w) => w.subarray(0, w.length - 1), (w, logits, at) => {
      let nll = 0;
      for (let t = 0; t + 1 < w.length; t++) nll -= logProbAt(logits, at + t, V, w[t + 1]);
      return nll;
    });
}

/** LogprobFn: per item, sum over the continuation's characters of ln p(char | prompt, earlier chars). */
export function engineLogprob(engine: Engine, options: EngineEvalOptions = {}): LogprobFn {
  const { V } = engine.config;
  const shape = rowShape(engine, options);
  const encoded = (item: { prompt: string; continuation: string }) => {
    const prompt = encode(item.prompt).length;
    if (prompt === 0) throw new Error('engineLogprob: an empty prompt leaves the first character nothing to condition on');
    return { prompt, tokens: encode(item.prompt + item.continuation) };
  };
  return async (items) => {
    const rows = items.map(encoded);
    return inRowGroups(engine, rows, shape, (e) => e.tokens.subarray(0, e.tokens.length - 1), (e, logits, at) => {
      let lp = 0;
      for (let t = e.prompt - 1; t + 1 < e.tokens.length; t++) lp += logProbAt(logits, at + t, V, e.tokens[t + 1]);
      return lp;
    });
  };
}

/** The most likely text token at one position (ties: the lower id). PAD and control codes are never chosen. */
function greedyTextToken(logits: Float32Array, position: number, V: number): number {
  let best = -1;
  for (let id = 0; id < V; id++) {
    if (isTextId(id) && (best < 0 || logits[position * V + id] > logits[position * V + best])) best = id;
  }
  return best;
}

export interface GenerateOptions extends EngineEvalOptions {
  /** Stop a row once its output ends with this (the task's terminator); it stays in the output. */
  terminator?: string;
}

/**
 * GenerateFn: greedy decoding of many prompts at once, one prompt per row. Each step runs the whole batch and
 * appends, to every unfinished row, the argmax at its own last position. A prompt must leave room:
 * prompt + maxLen - 1 <= T characters, T the rows' length (fitPrompt does this for the evaluators; a task's
 * row length, taskRowLength, covers every prompt with its task's maxAnswerLength).
 */
export function engineGenerate(engine: Engine, options: GenerateOptions = {}): GenerateFn {
  const { V } = engine.config;
  const { B: rows, T } = rowShape(engine, options);
  return async (prompts, maxLen) => {
    const out: string[] = [];
    for (let i = 0; i < prompts.length; i += rows) {
      const seqs = prompts.slice(i, i + rows).map((p) => Array.from(encode(p)));
      seqs.forEach((s, r) => {
        if (s.length === 0) throw new Error(`engineGenerate: prompt ${i + r} is empty`);
        if (s.length + maxLen - 1 > T) {
          throw new RangeError(`engineGenerate: prompt ${i + r} has ${s.length} chars; generating ${maxLen} needs context ${s.length + maxLen - 1}, the rows have T=${T} (the model's context ${engine.config.T})`);
        }
      });
      const generated = seqs.map(() => [] as number[]);
      const done = seqs.map(() => maxLen <= 0);
      for (let k = 0; k < maxLen && done.includes(false); k++) {
        const logits = await forwardRows(engine, seqs.map((s) => Uint8Array.from(s)), rows, T);
        seqs.forEach((s, r) => {
          if (done[r]) return;
          const id = greedyTextToken(logits, r * T + s.length - 1, V);
          s.push(id);
          generated[r].push(id);
          const text = decode(generated[r]);
          if (generated[r].length >= maxLen || (options.terminator && text.endsWith(options.terminator))) done[r] = true;
        });
      }
      out.push(...generated.map((g) => decode(g)));
    }
    return out;
  };
}

/** Bits per character of a token stream over `maxWindows` fixed windows of T+1 tokens (evaluateBitsPerChar). */
export function evaluationBitsPerChar(
  engine: Engine, tokens: Uint8Array, options: EngineEvalOptions & { maxWindows?: number } = {},
): Promise<BitsPerCharResult> {
  const rows = options.rows ?? DEFAULT_ROWS;
  return evaluateBitsPerChar(tokens, engine.config.T, engineWindowNll(engine, { rows }), { maxWindows: options.maxWindows, batchSize: rows });
}
