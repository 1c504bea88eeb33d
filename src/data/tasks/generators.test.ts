// The generated and loaded tasks: formats, determinism per seed, disjoint train/test.
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCorpus } from '../corpus.fixture';
import { documentsOf, documentText, imdbRecords, type Corpus } from '../corpus';
import { addrAnswer, addrPairKey, makeAddRTask } from './addr';
import { makeDomainTask, selectChunks } from './domain';
import { kvExample, makeKvTask } from './kv';
import { cleanWord, makePigLatinTask, pigLatinWord, wordWindowAt } from './piglatin';
import { makeSentTask, SENT_CHOICES } from './sent';
import type { ExactMatchTask, TaskExample } from './types';

let corpus: Corpus;
let documents: string[];

beforeAll(async () => {
  corpus = await builtCorpus(['train', 'validation', 'domain-train', 'domain-test', 'imdb-tails', 'imdb-labels']);
  documents = documentsOf(corpus, 'train').map(documentText);
});

const prompts = (examples: readonly TaskExample[]) => examples.map((ex) => ex.prompt);

function expectDisjoint(task: { train: TaskExample[]; test: TaskExample[] }, key = (p: string) => p): void {
  const testKeys = new Set(task.test.map((ex) => key(ex.prompt)));
  expect(task.train.filter((ex) => testKeys.has(key(ex.prompt)))).toEqual([]);
  expect(testKeys.size).toBe(task.test.length);
  expect(new Set(task.train.map((ex) => key(ex.prompt))).size).toBe(task.train.length);
}

function expectSeeded(make: (seed: number, trainSize: number) => { train: TaskExample[]; test: TaskExample[] }): void {
  const a = make(1, 300);
  expect(make(1, 300)).toEqual(a);
  const b = make(2, 300);
  expect(prompts(b.test)).not.toEqual(prompts(a.test));
  expect(prompts(b.train)).not.toEqual(prompts(a.train));
  const bigger = make(1, 600); // the same test set, and the smaller training set nested in the larger one
  expect(bigger.test).toEqual(a.test);
  const biggerPrompts = new Set(prompts(bigger.train));
  expect(prompts(a.train).every((p) => biggerPrompts.has(p))).toBe(true);
}

function expectAnswersEndWith(task: ExactMatchTask): void {
  for (const ex of [...task.train, ...task.test]) {
    expect(ex.answer.endsWith(task.terminator)).toBe(true);
    expect(ex.answer.indexOf(task.terminator)).toBe(ex.answer.length - task.terminator.length);
    expect(ex.answer.length).toBeLessThanOrEqual(task.maxAnswerLength);
  }
}

describe('ADD-R', () => {
  it('reverses the digits of the sum and ends with a newline', () => {
    expect(addrAnswer(347, 125)).toBe('274\n');
    expect(addrAnswer(999, 999)).toBe('8991\n');
    expect(addrAnswer(100, 100)).toBe('002\n');
    const task = makeAddRTask({ seed: 5, trainSize: 2000, testSize: 500 });
    for (const ex of task.test) {
      const [a, b] = ex.prompt.slice(0, -1).split('+').map(Number);
      expect(ex.prompt).toMatch(/^[1-9]\d\d\+[1-9]\d\d=$/);
      expect(Number([...ex.answer.trim()].reverse().join(''))).toBe(a + b);
    }
    expectAnswersEndWith(task);
  });

  it('never tests on an operand pair it trains on, in either order', () => {
    expectDisjoint(makeAddRTask({ seed: 9, trainSize: 20_000, testSize: 2000 }), addrPairKey);
    expect(addrPairKey('125+347=')).toBe(addrPairKey('347+125='));
  });

  it('is deterministic per seed, differs across seeds, and nests training sets', () => {
    expectSeeded((seed, trainSize) => makeAddRTask({ seed, trainSize, testSize: 100 }));
  });
});

describe('KV', () => {
  it('formats 8 distinct 3-letter keys with 2-digit values and queries one of them', () => {
    expect(kvExample([['abc', '42'], ['dqx', '07']], 1)).toEqual({ prompt: 'abc=42 dqx=07 ?dqx=', answer: '07\n' });
    const task = makeKvTask({ seed: 3, trainSize: 500, testSize: 200 });
    for (const ex of task.test) {
      expect(ex.prompt).toMatch(/^([a-z]{3}=\d\d )(?:[a-z]{3}=\d\d ){7}\?[a-z]{3}=$/);
      const pairs = new Map(ex.prompt.split(' ').slice(0, 8).map((p) => p.split('=') as [string, string]));
      expect(pairs.size).toBe(8);
      const query = ex.prompt.slice(ex.prompt.indexOf('?') + 1, -1);
      expect(ex.answer).toBe(`${pairs.get(query)}\n`);
    }
    expectAnswersEndWith(task);
  });

  it('keeps train and test disjoint and is seeded', () => {
    expectDisjoint(makeKvTask({ seed: 1, trainSize: 5000, testSize: 1000 }));
    expectSeeded((seed, trainSize) => makeKvTask({ seed, trainSize, testSize: 100 }));
  });
});

describe('PIGLATIN', () => {
  it('translates by the documented rule', () => {
    const cases = { apple: 'appleyay', string: 'ingstray', quick: 'ickquay', squeeze: 'eezesquay', rhythm: 'ythmrhay', the: 'ethay', yellow: 'ellowyay', my: 'ymay', a: 'ayay', brr: 'brray' };
    for (const [word, latin] of Object.entries(cases)) expect(pigLatinWord(word), word).toBe(latin);
    expect(cleanWord('"Hello,')).toBe('hello');
    expect(cleanWord("don't")).toBeUndefined();
    expect(wordWindowAt('xx The quick brown fox.', 0, 3)).toEqual(['the', 'quick', 'brown']);
  });

  it('draws real word windows with disjoint train and test, seeded', () => {
    const task = makePigLatinTask({ seed: 4, trainSize: 3000, testSize: 500, documents });
    for (const ex of task.test.slice(0, 100)) {
      expect(ex.prompt).toMatch(/^[a-z]+ [a-z]+ [a-z]+=$/);
      expect(ex.answer).toBe(ex.prompt.slice(0, -1).split(' ').map(pigLatinWord).join(' ') + '\n');
    }
    expectAnswersEndWith(task);
    expectDisjoint(task);
    expectSeeded((seed, trainSize) => makePigLatinTask({ seed, trainSize, testSize: 100, documents }));
  });
});

describe('SENT', () => {
  it('builds balanced, disjoint train and test sets from the SENT pool only', () => {
    const records = imdbRecords(corpus);
    const pool = corpus.manifest.imdb.sentPool;
    const task = makeSentTask(records, pool, { seed: 1, trainSize: 4000, testSize: 1000 });
    expect(task.choices).toEqual(SENT_CHOICES);
    for (const split of [task.train, task.test]) {
      expect(split.filter((ex) => ex.label === 1).length).toBe(split.length / 2);
      for (const ex of split) {
        expect(ex.answer).toBe(SENT_CHOICES[ex.label]);
        expect(ex.prompt.endsWith('\nsentiment:')).toBe(true);
        expect(ex.prompt.length).toBeLessThanOrEqual(200 + 11);
      }
    }
    // Every prefix of the test set is balanced (the score curve scores a prefix).
    for (const n of [2, 64, 128, 1000]) expect(task.test.slice(0, n).filter((ex) => ex.label === 1).length).toBe(n / 2);
    expectDisjoint(task);
    const probeTails = new Set(records.tails.slice(...corpus.manifest.imdb.probePool));
    expect(task.train.some((ex) => probeTails.has(ex.prompt.slice(0, -11)))).toBe(false);
    expectSeeded((seed, trainSize) => makeSentTask(records, pool, { seed, trainSize, testSize: 100 }));
  });
});

describe('DOMAIN', () => {
  it('fine-tunes on a seeded, size-limited part of domain-train and tests on domain-test', () => {
    const full = makeDomainTask(corpus, { seed: 1 });
    expect(full.train).toBe(corpus.files['domain-train']);
    expect(full.test).toBe(corpus.files['domain-test']);
    expect(full.validation).toBe(corpus.files.validation);
    const small = makeDomainTask(corpus, { seed: 1, trainChars: 100_000 });
    expect(small.train.length).toBeGreaterThanOrEqual(100_000);
    expect(small.train.length).toBeLessThan(100_000 + 4096 + 2 * 30);
    expect(makeDomainTask(corpus, { seed: 1, trainChars: 100_000 }).train).toEqual(small.train);
    expect(makeDomainTask(corpus, { seed: 2, trainChars: 100_000 }).train).not.toEqual(small.train);
  });

  it('joins whole chunks of the stream', () => {
    const tokens = Uint8Array.from({ length: 3 * 4096 }, (_, i) => 65 + Math.floor(i / 4096));
    const two = new TextDecoder().decode(selectChunks(tokens, 5000, 7));
    expect(two.length).toBe(2 * 4096 + 2);
    expect(two.split('\n\n').map((part) => new Set(part).size)).toEqual([1, 1]);
  });
});
