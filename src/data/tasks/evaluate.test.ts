// Every evaluator against hand-made oracles: a perfect model scores perfectly, a wrong one scores wrong.
import { describe, expect, it } from 'vitest';
import { PAD_ID } from '../tokenizer';
import { makeAddRTask } from './addr';
import type { Corpus } from '../corpus';
import { evaluateDomain, makeDomainTask } from './domain';
import {
  answerPart,
  evaluateAnswerNll,
  evaluateBitsPerChar,
  evaluateChoice,
  evaluateExactMatch,
  fromSingleGenerate,
  fromSingleLogprob,
  isExactMatch,
} from './evaluate';
import { encodeExample, ExampleSampler, fitPrompt } from './format';
import { makeKvTask } from './kv';
import { makePigLatinTask } from './piglatin';
import { sentExample, SENT_CHOICES } from './sent';
import type { ExactMatchTask, GenerateFn, LogprobFn, TaskExample, WindowNllFn } from './types';

const DOCS = [
  'The quick brown fox jumps over the lazy dog while the cat sleeps in the warm sun all day long.',
  'Four score and seven years ago our fathers brought forth on this continent a new nation conceived in liberty.',
  'It was the best of times and it was the worst of times and it was the age of wisdom and of foolishness.',
];

const exactTasks: ExactMatchTask[] = [
  makeAddRTask({ seed: 1, trainSize: 100, testSize: 50 }),
  makeKvTask({ seed: 1, trainSize: 100, testSize: 50 }),
  makePigLatinTask({ seed: 1, trainSize: 20, testSize: 10, documents: DOCS }),
];

/** Greedy "model" that knows the answers (optionally corrupted, optionally with text after the terminator). */
function oracle(examples: readonly TaskExample[], corrupt = (a: string) => a): GenerateFn {
  const answers = new Map(examples.map((ex) => [ex.prompt, ex.answer]));
  return async (prompts, maxLen) => prompts.map((p) => corrupt(answers.get(p)!).slice(0, maxLen));
}

describe('exact match (ADD-R, KV, PIGLATIN)', () => {
  for (const task of exactTasks) {
    it(`${task.name}: a perfect answer scores 1, a wrong one 0`, async () => {
      const options = { maxLen: task.maxAnswerLength, terminator: task.terminator };
      const perfect = await evaluateExactMatch(task.test, oracle(task.test), options);
      expect(perfect).toMatchObject({ accuracy: 1, correct: task.test.length, total: task.test.length });
      const offByOne = (a: string) => (a[0] === 'z' ? 'y' : 'z') + a.slice(1);
      expect((await evaluateExactMatch(task.test, oracle(task.test, offByOne), options)).accuracy).toBe(0);
      const unterminated = (a: string) => a.slice(0, -1);
      expect((await evaluateExactMatch(task.test, oracle(task.test, unterminated), options)).accuracy).toBe(0);
    });
  }

  it('cuts generations at the first terminator', () => {
    expect(isExactMatch('274\n#junk', '274\n', '\n')).toBe(true);
    expect(isExactMatch('2745\n', '274\n', '\n')).toBe(false);
    expect(isExactMatch('274', '274\n', '\n')).toBe(false);
    expect(answerPart('ab\ncd\n', '\n')).toBe('ab\n');
  });

  it('batches prompts and fits them to the context', async () => {
    const task = exactTasks[1];
    const calls: number[] = [];
    const seen: string[] = [];
    const generate: GenerateFn = async (prompts, maxLen) => {
      calls.push(prompts.length);
      seen.push(...prompts);
      return prompts.map(() => 'x'.repeat(maxLen));
    };
    await evaluateExactMatch(task.test, generate, { maxLen: 3, terminator: '\n', batchSize: 16, seqLen: 40 });
    expect(calls).toEqual([16, 16, 16, 2]);
    expect(seen.every((p) => p.length === 38)).toBe(true);
  });

  it('answer NLL is nats per answer character', async () => {
    const task = exactTasks[0];
    const halfEach: LogprobFn = async (items) => items.map((it) => it.continuation.length * Math.log(0.5));
    const chars = task.test.reduce((n, ex) => n + ex.answer.length, 0);
    const nll = await evaluateAnswerNll(task.test, halfEach);
    expect(nll.answerChars).toBe(chars);
    expect(nll.natsPerChar).toBeCloseTo(Math.LN2, 12);
    const sure: LogprobFn = fromSingleLogprob(async () => 0);
    expect((await evaluateAnswerNll(task.test, sure)).natsPerChar).toBeCloseTo(0, 12);
  });
});

describe('SENT likelihood comparison', () => {
  const examples = [sentExample('a fine film', 1), sentExample('dreadful', 0), sentExample('loved it', 1)];
  const rightChoice = (ex: { prompt: string; label: number }) => SENT_CHOICES[ex.label];
  const scorer = (prefer: 'right' | 'wrong'): LogprobFn => async (items) =>
    items.map((it) => {
      const ex = examples.find((e) => e.prompt === it.prompt)!;
      const isRight = it.continuation === rightChoice(ex);
      return (isRight === (prefer === 'right')) ? -1 : -6;
    });

  it('scores a model preferring the right word 1 and the wrong word 0', async () => {
    expect(await evaluateChoice(examples, SENT_CHOICES, scorer('right'))).toMatchObject({ accuracy: 1, predictions: [1, 0, 1] });
    expect(await evaluateChoice(examples, SENT_CHOICES, scorer('wrong'))).toMatchObject({ accuracy: 0, predictions: [0, 1, 0] });
  });
});

describe('DOMAIN bits per character and forgetting', () => {
  const text = (n: number, c: number) => new Uint8Array(n).fill(c);
  const corpus = {
    manifest: {} as Corpus['manifest'],
    files: { 'domain-train': text(10_000, 97), 'domain-test': text(5_000, 98), validation: text(5_000, 99) },
  } as Corpus;
  const task = makeDomainTask(corpus, { seed: 1 });
  // knows the domain perfectly, and pays 2 bits per character on validation text
  const model: WindowNllFn = async (windows) => windows.map((w) => (w[0] === 98 ? 0 : (w.length - 1) * 2 * Math.LN2));
  const uniform: WindowNllFn = async (windows) => windows.map((w) => (w.length - 1) * Math.log(128));

  it('gives 0 bits/char to a perfect domain model and 7 to a uniform one', async () => {
    const good = await evaluateDomain(task, model, { seqLen: 64, validationBitsBefore: 1.5 });
    expect(good.domainBitsPerChar).toBe(0);
    expect(good.validationBitsPerChar).toBeCloseTo(2, 12);
    expect(good.forgetting).toBeCloseTo(0.5, 12);
    const bad = await evaluateDomain(task, uniform, { seqLen: 64 });
    expect(bad.domainBitsPerChar).toBeCloseTo(7, 12);
    expect(bad.forgetting).toBeNaN();
  });

  it('evaluates fixed, evenly spaced windows of T+1 tokens', async () => {
    const tokens = Uint8Array.from({ length: 1001 }, (_, i) => i % 100);
    const starts: number[] = [];
    const nll: WindowNllFn = async (windows) => windows.map((w) => (starts.push(w[0]), w.length - 1));
    const result = await evaluateBitsPerChar(tokens, 10, nll, { maxWindows: 4 });
    expect(starts).toEqual([0, 50, 0, 50]); // windows 0, 25, 50, 75 -> positions 0, 250, 500, 750
    expect(result).toEqual({ bitsPerChar: 1 / Math.LN2, chars: 40, windows: 4 });
  });
});

describe('training sequences and the answer-only loss mask', () => {
  it('masks exactly the answer characters of a left-aligned, padded example', () => {
    const { input, target, mask } = encodeExample({ prompt: '347+125=', answer: '274\n' }, 16);
    const dec = (a: Uint8Array) => String.fromCharCode(...a).replace(/\0/g, '_');
    expect(dec(input)).toBe('347+125=274_____');
    expect(dec(target)).toBe('47+125=274\n_____');
    expect(Array.from(mask).join('')).toBe('0000000111100000');
    expect(target[11]).toBe(PAD_ID);
  });

  it('left-truncates prompts that do not fit the context', () => {
    expect(fitPrompt('abcdefgh', 3, 8)).toBe('cdefgh');
    const { input, mask } = encodeExample({ prompt: 'abcdefgh', answer: 'XYZ' }, 8);
    expect(String.fromCharCode(...input)).toBe('cdefghXY');
    expect(Array.from(mask).join('')).toBe('00000111');
  });

  it('samples fine-tuning batches seeded and resumably', () => {
    const examples = makeAddRTask({ seed: 2, trainSize: 100, testSize: 10 }).train;
    const sampler = new ExampleSampler(examples, { seed: 5, batchSize: 8, seqLen: 12 });
    expect(sampler.batchesPerEpoch).toBe(12);
    for (let s = 0; s < 7; s++) sampler.next();
    const resumed = ExampleSampler.fromState(examples, JSON.parse(JSON.stringify(sampler.getState())));
    for (let s = 0; s < 10; s++) expect(resumed.next()).toEqual(sampler.next());
    const batch = new ExampleSampler(examples, { seed: 5, batchSize: 8, seqLen: 12 }).batchAt(0);
    expect(batch.mask.reduce((n, m) => n + m, 0)).toBe(Array.from(batch.indices).reduce((n, i) => n + examples[i].answer.length, 0));
  });

  it('adapts one-at-a-time callbacks', async () => {
    const generate = fromSingleGenerate(async (prompt, maxLen) => prompt.slice(0, maxLen));
    expect(await generate(['abc', 'de'], 2)).toEqual(['ab', 'de']);
  });
});
