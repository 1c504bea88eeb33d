// Rows of a task's length (data/tasks/rows.ts) give the numbers that rows padded to the whole context give:
// fine-tuning losses, gradient norms and parameters step by step, greedy outputs, exact match, answer NLL
// and choice accuracy. CPU spec engine, the tiny preset's model at context T = 96 (tiny's own 16 leaves
// ADD-R nothing to cut). Also: resuming from a checkpoint continues bit-identically, and a sampler state
// saved at the context's length (checkpoints from before task rows) still loads and keeps its rows.
import { describe, expect, it } from 'vitest';
import {
  evaluateAnswerNll, evaluateChoice, evaluateExactMatch, ExampleSampler, makeAddRTask, makeKvTask, makePigLatinTask,
  SENT_CHOICES, taskRowLength, type AnyTask, type ChoiceTask, type ExactMatchTask, type TaskExample,
} from '../data/tasks';
import type { ExampleSamplerState } from '../data/tasks/format';
import { createCpuEngine, type CpuEngine } from '../engine/cpu';
import { modelConfig, PRESETS } from '../model/config';
import { initParams } from '../model/init';
import { paramTable } from '../model/params';
import type { PhaseSampler } from '../train/batches';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../train/checkpoint';
import { engineGenerate, engineLogprob } from '../train/evaluate';
import { finetunePhase } from '../train/phase';
import { runPhase, type PhaseProgress } from '../train/runPhase';
import { recorder, sameBits } from '../train/testkit';
import { finetuneSampler } from './finetune';
import { scoreTask } from './taskScores';

const { C, L, NH } = PRESETS.tiny.model;
const cfg = modelConfig({ T: 96, C, L, NH });
const { T } = cfg;
const B = 8;
const STEPS = 6;

/**
 * Tolerance, |a - b| <= atol + rtol |b|: the CPU engine computes in float64 and the scorers read f32 logits,
 * so rows of another length could at most reorder a sum; on this engine they come out bit-equal (max diff 0), and
 * the tolerance is what the claim needs on an engine whose reductions depend on the batch shape.
 */
const TOL = { atol: 1e-9, rtol: 1e-9 };
function expectClose(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length, `${what}: lengths`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= TOL.atol + TOL.rtol * Math.abs(b[i]))) expect.fail(`${what}[${i}]: task rows ${a[i]} vs full context ${b[i]}`);
  }
}

async function engineAt(seed: number): Promise<CpuEngine> {
  const engine = createCpuEngine(cfg);
  await engine.writeParams(initParams(paramTable(cfg), cfg, seed));
  return engine;
}

/** Synthetic documents for PIGLATIN: words of 2..7 letters, so its rows (about 72) are shorter than T. */
const LETTERS = 'abcdefghiklmnopqrstuwy';
const word = (n: number) => Array.from({ length: 2 + (n % 6) }, (_, k) => LETTERS[(n * 7 + k * 5 + Math.floor(n / 6)) % LETTERS.length]).join('');
const DOCS = Array.from({ length: 10 }, (_, d) => Array.from({ length: 300 }, (_, i) => word(d * 300 + i)).join(' '));

/** A SENT-shaped task with short prompts (the real one's 211-character prompts fill the context). */
function shortSent(): ChoiceTask {
  const words = ['good', 'bad', 'fine film', 'awful plot', 'loved it', 'dull', 'great cast', 'poor'];
  const make = (i: number) => ({ prompt: `${words[i % 8]} ${i}\nsentiment:`, answer: SENT_CHOICES[i % 2], label: i % 2 });
  return { name: 'SENT', train: Array.from({ length: 64 }, (_, i) => make(i)), test: Array.from({ length: 16 }, (_, i) => make(100 + i)), choices: SENT_CHOICES };
}

/** An exact-match task whose generation budget ends exactly on a row boundary: 20 + 5 - 1 = 24 = 3 x 8. */
function boundaryTask(): ExactMatchTask {
  const make = (i: number): TaskExample => ({ prompt: `${String(i).padStart(4, '0')} repeat it once:`, answer: `${String(i).padStart(4, '0')}\n` });
  return { name: 'ADD-R', train: Array.from({ length: 64 }, (_, i) => make(i)), test: Array.from({ length: 16 }, (_, i) => make(500 + i)), maxAnswerLength: 5, terminator: '\n' };
}

const TASKS: Array<[string, () => AnyTask, number]> = [
  ['ADD-R', () => makeAddRTask({ seed: 3, trainSize: 64, testSize: 16 }), 16],
  ['KV', () => makeKvTask({ seed: 3, trainSize: 64, testSize: 16 }), 64], // 61 + 3 - 1 = 63 positions
  ['PIGLATIN', () => makePigLatinTask({ seed: 3, trainSize: 64, testSize: 8, documents: DOCS }), -1],
  ['SENT (short prompts)', shortSent, -1],
  ['boundary (24 = 20 + 5 - 1)', boundaryTask, 24],
];

async function finetune(engine: CpuEngine, sampler: PhaseSampler, steps = STEPS, from?: PhaseProgress) {
  const config = finetunePhase({ pretrainPeakLr: 0.06, batchesPerEpoch: 8, epochs: 1 }, { steps: 2 * STEPS, submitSteps: 2 });
  const { hooks, rec } = recorder();
  const result = await runPhase(engine, config, sampler, hooks, { from, until: (from?.step ?? 0) + steps });
  return { config, rec, result };
}

describe('rows of the task length give the numbers of full-context rows', () => {
  for (const [name, make, expected] of TASKS) {
    it(`${name}: fine-tuning steps and every score`, async () => {
      const task = make();
      const rowT = taskRowLength(task, T);
      if (expected > 0) expect(rowT).toBe(expected);
      expect(rowT).toBeLessThan(T);
      const examples = task.train as readonly TaskExample[];

      const short = await engineAt(1);
      const full = await engineAt(1);
      const shortSampler = finetuneSampler(task, 7, B, T)();
      expect(shortSampler.config.seqLen).toBe(rowT);
      const a = await finetune(short, shortSampler);
      const b = await finetune(full, new ExampleSampler(examples, { seed: 7, batchSize: B, seqLen: T }));
      expectClose('loss', a.rec.losses, b.rec.losses);
      expectClose('grad norm', a.rec.gradNorms, b.rec.gradNorms);
      expectClose('params', await short.readParams(), await full.readParams());

      // Scores on the same (fine-tuned) parameters: scoreTask at the task's rows vs the full-context path.
      const score = await scoreTask(short, task, { rows: B, limit: task.test.length, answerNll: true });
      const [shortRows, fullRows] = [{ rows: B, T: rowT }, { rows: B }];
      if (task.name === 'SENT') {
        const items = task.test.flatMap((ex) => task.choices.map((continuation) => ({ prompt: ex.prompt, continuation })));
        expectClose('choice logprob', await engineLogprob(short, shortRows)(items), await engineLogprob(short, fullRows)(items));
        const old = await evaluateChoice(task.test, task.choices, engineLogprob(short, fullRows), { seqLen: T, batchSize: B });
        expect(score.value).toBe(old.accuracy);
      } else if (task.name !== 'DOMAIN') {
        const options = { maxLen: task.maxAnswerLength, terminator: task.terminator, batchSize: B };
        const generated = await evaluateExactMatch(task.test, engineGenerate(short, { ...shortRows, terminator: task.terminator }), { ...options, seqLen: rowT });
        const old = await evaluateExactMatch(task.test, engineGenerate(short, { ...fullRows, terminator: task.terminator }), { ...options, seqLen: T });
        expect(generated.outputs).toEqual(old.outputs);
        // Without a terminator every row generates its whole budget, up to the last position its row holds.
        const prompts = task.test.map((ex) => ex.prompt);
        expect(await engineGenerate(short, shortRows)(prompts, task.maxAnswerLength)).toEqual(await engineGenerate(short, fullRows)(prompts, task.maxAnswerLength));
        expect(score.value).toBe(old.accuracy);
        const oldNll = await evaluateAnswerNll(task.test, engineLogprob(short, fullRows), { seqLen: T, batchSize: B });
        expectClose('answer NLL', [score.answerNll!], [oldNll.natsPerChar]);
      }
    });
  }

  it('taskRowLength: the longest example with room for a full answer, rounded up to 8, at most T; DOMAIN T', () => {
    const kv = makeKvTask({ seed: 1, trainSize: 8, testSize: 4 });
    expect([taskRowLength(kv, 128), taskRowLength(kv, 60), taskRowLength(kv, 16)]).toEqual([64, 60, 16]);
    const addr = makeAddRTask({ seed: 1, trainSize: 8, testSize: 4 });
    expect(taskRowLength({ ...addr, maxAnswerLength: 6 }, 128)).toBe(16); // 8 + 6 - 1 = 13
    expect(taskRowLength({ ...addr, maxAnswerLength: 10 }, 128)).toBe(24); // 8 + 10 - 1 = 17
    expect(taskRowLength({ ...shortSent(), test: [{ prompt: 'x'.repeat(300), answer: ' positive', label: 1 }] }, 128)).toBe(128);
    expect(taskRowLength({ name: 'DOMAIN', train: new Uint8Array(0), test: new Uint8Array(0), validation: new Uint8Array(0) }, 96)).toBe(96);
  });
});

describe('checkpoints of task-length phases', () => {
  const task = makeKvTask({ seed: 3, trainSize: 64, testSize: 16 });

  /** Steps 1-3, a checkpoint through its bytes into a fresh engine, steps 4-6, as the runner resumes. */
  async function resumed(first: PhaseSampler) {
    const engine = await engineAt(1);
    const part = await finetune(engine, first, STEPS / 2);
    const bytes = encodeCheckpoint(await captureCheckpoint(engine, { phase: part.config, progress: part.result.progress, sampler: first.getState() }));
    const ckpt = decodeCheckpoint(bytes);
    const again = await engineAt(99);
    await restoreCheckpoint(again, ckpt);
    const sampler = finetuneSampler(task, 7, B, T)(ckpt.sampler);
    const rest = await finetune(again, sampler, STEPS / 2, ckpt.progress);
    return { losses: [...part.rec.losses, ...rest.rec.losses], seqLen: sampler.config.seqLen, params: await again.readParams() };
  }

  /** The uninterrupted phase, its state written back at step 3 as segments.ts does (CPU state is float64). */
  async function straight(sampler: PhaseSampler) {
    const engine = await engineAt(1);
    const part = await finetune(engine, sampler, STEPS / 2);
    await restoreCheckpoint(engine, await captureCheckpoint(engine, { phase: part.config, progress: part.result.progress, sampler: sampler.getState() }));
    const rest = await finetune(engine, sampler, STEPS / 2, part.result.progress);
    return { losses: [...part.rec.losses, ...rest.rec.losses], params: await engine.readParams() };
  }

  it('resume at the task row length bit-identically', async () => {
    const a = await straight(finetuneSampler(task, 7, B, T)());
    const b = await resumed(finetuneSampler(task, 7, B, T)());
    expect(b.seqLen).toBe(64);
    expect(sameBits(b.losses, a.losses)).toBe(true);
    expect(sameBits(b.params, a.params)).toBe(true);
  });

  it('a state saved at the context length (older checkpoints) keeps its rows: the old run continues bit for bit', async () => {
    const fullRows = () => new ExampleSampler(task.train, { seed: 7, batchSize: B, seqLen: T });
    const old = await straight(fullRows());
    const b = await resumed(fullRows());
    expect(b.seqLen).toBe(T);
    expect(sameBits(b.losses, old.losses)).toBe(true);
    expectClose('loss vs task rows', b.losses, (await straight(finetuneSampler(task, 7, B, T)())).losses);
  });

  it('refuses, by name, a sampler state whose rows cannot hold the task or exceed the context', () => {
    const state = (seqLen: number): ExampleSamplerState => ({ kind: 'example-sampler', seed: 7, batchSize: B, seqLen, exampleCount: task.train.length, step: 2 });
    const make = finetuneSampler(task, 7, B, T);
    expect(() => make(state(32))).toThrow(/KV: the checkpoint's sampler has rows of 32 tokens; KV needs 64 to 96/);
    expect(() => make(state(128))).toThrow(/rows of 128 tokens/);
    expect(make(state(80)).config.seqLen).toBe(80);
  });
});
