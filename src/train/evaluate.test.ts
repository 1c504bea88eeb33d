// The engine adapters on the CPU spec engine, against hand-checkable facts: a continuation's log-likelihood
// is what the engine's own cross-entropy says it is; an item's numbers do not depend on its batch-mates
// (right padding under a causal model); a model that memorised a text generates it back.
import { describe, expect, it } from 'vitest';
import { encode } from '../data/tokenizer';
import { evaluateAnswerNll, evaluateExactMatch } from '../data/tasks/evaluate';
import { lossWeights } from '../engine/types';
import { fixedWindowBatches } from './batches';
import { engineGenerate, engineLogprob, engineWindowNll, evaluationBitsPerChar, validationLoss } from './evaluate';
import { cpuEngine, overfitPeriodic, PERIODIC, syntheticText, TINY } from './testkit';

const { T } = TINY.model;
/** The adapters read f32 logits (readLogits), the engine's loss is float64: a few f32 roundings per token. */
const F32_LOGITS = (expected: number) => 1e-5 + 1e-6 * Math.abs(expected);

/** -sum ln p(continuation | prompt) by the engine's cross-entropy: its mean loss over the continuation x count. */
async function nllByLoss(engine: Awaited<ReturnType<typeof cpuEngine>>, prompt: string, continuation: string): Promise<number> {
  const tokens = encode(prompt + continuation);
  const n = tokens.length - 1;
  const mask = Array.from({ length: n }, (_, t) => (t >= prompt.length - 1 ? 1 : 0));
  const loss = await engine.evalLoss({ B: 1, T: n, tokens: tokens.subarray(0, n), targets: tokens.subarray(1), weights: lossWeights(mask) });
  return loss * continuation.length;
}

const ITEMS = [
  { prompt: '347+125=', continuation: '274\n' },
  { prompt: 'a', continuation: 'bc' },
  { prompt: 'the cat sat', continuation: ' on m' }, // 16 tokens: 15 inputs, nearly the whole context
  { prompt: 'xy', continuation: 'z' },
  { prompt: 'hello, ', continuation: 'world' },
  { prompt: 'q', continuation: '?' },
];

describe('engine adapters (CPU engine, tiny preset)', () => {
  it('LogprobFn: the sum of ln p over the continuation, as the engine cross-entropy has it', async () => {
    const engine = await cpuEngine(1);
    const batched = await engineLogprob(engine, { rows: 4 })(ITEMS); // 2 engine calls, the second padded
    for (const [i, item] of ITEMS.entries()) {
      const expected = -(await nllByLoss(engine, item.prompt, item.continuation));
      expect(Math.abs(batched[i] - expected), `${JSON.stringify(item)}: ${batched[i]} vs ${expected}`).toBeLessThan(F32_LOGITS(expected));
    }
  });

  it('an item scores the same alone and beside other rows (left-aligned rows, causal attention)', async () => {
    const engine = await cpuEngine(1);
    const together = await engineLogprob(engine, { rows: 8 })(ITEMS);
    // Concurrent calls on one engine: each forward is read back before the next one runs.
    const alone = await Promise.all(ITEMS.map(async (item) => (await engineLogprob(engine, { rows: 1 })([item]))[0]));
    expect(together).toEqual(alone);
  });

  it('WindowNllFn and bits/char: the summed NLL of full and short windows', async () => {
    const engine = await cpuEngine(1);
    const text = syntheticText(400);
    const windows = [text.subarray(0, T + 1), text.subarray(50, 50 + 6), text.subarray(100, 100 + T + 1)];
    const nll = await engineWindowNll(engine, { rows: 2 })(windows);
    for (const [i, w] of windows.entries()) {
      const n = w.length - 1;
      const loss = await engine.evalLoss({ B: 1, T: n, tokens: w.subarray(0, n), targets: w.subarray(1), weights: lossWeights(new Array(n).fill(1)) });
      expect(Math.abs(nll[i] - loss * n)).toBeLessThan(F32_LOGITS(loss * n));
    }
    const bpc = await evaluationBitsPerChar(engine, text, { maxWindows: 5, rows: 4 });
    expect(bpc.windows).toBe(5);
    expect(bpc.bitsPerChar).toBeGreaterThan(6.5); // an untrained model: about log2(128) = 7 bits
    expect(bpc.bitsPerChar).toBeLessThan(7.5);
  });

  it('validation on fixed batches (runPhase) and bits/char through WindowNllFn agree on the same windows', async () => {
    const engine = await cpuEngine(1);
    const text = syntheticText(5_000);
    const batches = fixedWindowBatches(text, 4, T, 3);
    expect(batches.map((b) => [b.B, b.T, b.tokens.length])).toEqual([[4, T, 4 * T], [4, T, 4 * T], [4, T, 4 * T]]);
    const viaBatches = (await validationLoss(engine, batches)) / Math.LN2;
    const viaWindows = await evaluationBitsPerChar(engine, text, { maxWindows: 12, rows: 5 });
    expect(Math.abs(viaBatches - viaWindows.bitsPerChar)).toBeLessThan(1e-6);
  });

  it('GenerateFn: a model that memorised a text generates it back from prompts of unequal length', async () => {
    const engine = await overfitPeriodic();
    const text = PERIODIC.repeat(3);
    const starts = [0, 4, 10, 16, 22];
    const prompts = starts.map((at, i) => text.slice(at, at + 5 + i)); // lengths 5..9, two engine calls of 4 rows
    const expected = starts.map((at, i) => text.slice(at + 5 + i, at + 5 + i + 6));
    const generate = engineGenerate(engine, { rows: 4 });
    expect(await generate(prompts, 6)).toEqual(expected);
    // The terminator ends a row early (and stays in the output).
    expect(await engineGenerate(engine, { terminator: '.' })(['fox', 'the qu'], 11)).toEqual([' jumps.', 'ick brown f']);
    // Through the data layer's evaluators.
    const examples = [{ prompt: 'quick brown', answer: ' fox' }, { prompt: 'brown fox ', answer: 'jumps.' }];
    const exact = await evaluateExactMatch(examples, generate, { maxLen: 6, terminator: '.', seqLen: T });
    expect(exact.outputs).toEqual([' fox j', 'jumps.']);
    expect(exact.correct).toBe(1);
    const nll = await evaluateAnswerNll(examples, engineLogprob(engine), { seqLen: T });
    expect(nll.natsPerChar).toBeLessThan(0.1);
  });

  it('refuses prompts that leave no room to generate in the context', async () => {
    const engine = await cpuEngine(1);
    await expect(engineGenerate(engine)(['x'.repeat(T)], 2)).rejects.toThrow(/needs context 17, the rows have T=16/);
  });
});
