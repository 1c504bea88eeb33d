// A sweep is data: a validated, versioned definition of pretrain -> fine-tune runs over a lambda grid and
// seeds. Defaults mirror the paper (science.md): lambda in {0, 0.1, 0.3, 1, 3}, 3 seeds, fine-tuning without
// weight decay at one fixed learning rate for every lambda, 3 epochs, batch 64. The page, the CLI and share
// URLs all read and write this one schema.
import { z } from 'zod';
import { ADDR_MAX_TEST_SIZE, ADDR_MAX_TRAIN_SIZE } from '../data/tasks/addr';
import { KV_MAX_TEST_SIZE, KV_MAX_TRAIN_SIZE } from '../data/tasks/kv';
import { PIGLATIN_MAX_TEST_SIZE, PIGLATIN_MAX_TRAIN_SIZE } from '../data/tasks/piglatin';
import { SENT_MAX_EXAMPLES } from '../data/tasks/sent';
import { paramCount, PRESETS, type ModelConfig, type PresetName } from '../model/config';
import { zodIssueLines } from '../util/zodIssues';

export const SWEEP_VERSION = 1;
/** The largest weight decay a sweep (or `npm run train --wd`) takes: past it decay alone scrambles a tiny model. */
export const MAX_LAMBDA = 100;

const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
export const TASKS = ['ADD-R', 'KV', 'SENT', 'DOMAIN', 'PIGLATIN'] as const;
export const PROBES = ['sentiment', 'genre'] as const;

const positive = z.number().finite().positive();
const count = z.number().int().positive();

// Every object of a sweep is strict: a misspelt or unknown key (pretrain.steps for the budget) is refused by
// name rather than silently dropped, so a sweep file never runs with a setting it did not say.
export const PretrainBudgetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tokensPerParam'), value: positive.max(10_000) }).strict(),
  z.object({ kind: z.literal('steps'), value: count.max(10_000_000) }).strict(),
]);

/**
 * The most examples each task can supply (its module owns the numbers), so an impossible size is refused with
 * the sweep instead of failing when the run reaches its data. `together`: train and test draw from one pool.
 * DOMAIN has none: a size beyond its text takes all of it.
 */
const MAX_TASK_SIZE = 1_000_000;

export const TASK_SIZE_LIMITS: Record<(typeof TASKS)[number], { trainSize?: number; testSize?: number; together?: number }> = {
  'ADD-R': { trainSize: ADDR_MAX_TRAIN_SIZE, testSize: ADDR_MAX_TEST_SIZE },
  KV: { trainSize: KV_MAX_TRAIN_SIZE, testSize: KV_MAX_TEST_SIZE },
  SENT: { together: SENT_MAX_EXAMPLES },
  DOMAIN: {},
  PIGLATIN: { trainSize: PIGLATIN_MAX_TRAIN_SIZE, testSize: PIGLATIN_MAX_TEST_SIZE },
};

/** The largest trainSize a task spec can take (its test set counted where train and test share a pool). */
export function maxTrainSize(spec: { name: (typeof TASKS)[number]; testSize: number }): number {
  const limits = TASK_SIZE_LIMITS[spec.name];
  const together = limits.together === undefined ? Infinity : Math.max(0, limits.together - spec.testSize);
  return Math.min(MAX_TASK_SIZE, limits.trainSize ?? Infinity, together);
}

export const TaskSpecSchema = z
  .object({
    name: z.enum(TASKS),
    /** Fine-tuning examples (DOMAIN: characters of domain text); calibrated so a mid-lambda model lands in 30-70%. */
    trainSize: count.max(MAX_TASK_SIZE),
    /** Test examples (DOMAIN: characters). */
    testSize: count.max(MAX_TASK_SIZE),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const limits = TASK_SIZE_LIMITS[spec.name];
    for (const field of ['trainSize', 'testSize'] as const) {
      const limit = limits[field];
      if (limit !== undefined && spec[field] > limit) ctx.addIssue({ code: 'custom', path: [field], message: `${spec.name} can supply at most ${limit} ${field === 'trainSize' ? 'training' : 'test'} examples, got ${spec[field]}` });
    }
    if (limits.together !== undefined && spec.trainSize + spec.testSize > limits.together) {
      const left = Math.max(0, limits.together - spec.testSize);
      ctx.addIssue({ code: 'custom', path: ['trainSize'], message: `${spec.name} can supply at most ${limits.together} examples for training and test together (testSize ${spec.testSize} leaves ${left} for training), got ${spec.trainSize}` });
    }
  });

export const SweepSchema = z
  .object({
    version: z.literal(SWEEP_VERSION),
    name: z.string().min(1).max(120),
    preset: z.enum(PRESET_NAMES),
    decayGroup: z.enum(['all', 'matrices']),
    lambdas: z.array(z.number().finite().min(0).max(MAX_LAMBDA)).min(1).max(32),
    seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(16),
    pretrain: z.object({
      budget: PretrainBudgetSchema,
      /** Peak learning rate (default: the preset's); warmup and cosine floor as fractions of the run. */
      peakLr: positive.max(1),
      batch: count.max(4096),
      warmupFrac: z.number().min(0).max(0.5),
      minLrFrac: z.number().min(0).max(1),
      /** Validation loss every this many steps (0: only at the end). */
      evalEvery: z.number().int().min(0),
    }).strict(),
    finetune: z.object({
      lr: positive.max(1),
      epochs: count.max(100),
      batch: count.max(4096),
      weightDecay: z.number().min(0).max(100),
      warmupFrac: z.number().min(0).max(0.5),
    }).strict(),
    tasks: z.array(TaskSpecSchema).max(TASKS.length),
    probes: z.array(z.enum(PROBES)).max(PROBES.length),
    /** Also fine-tune a randomly initialized model per task and seed (does the task measure trainability only?). */
    randomInitControl: z.boolean(),
    /** Relative Gaussian weight perturbation for the sensitivity measurement (0: skip). */
    perturbationSigma: z.number().min(0).max(1),
  })
  .strict()
  .superRefine((sweep, ctx) => {
    if (new Set(sweep.lambdas).size !== sweep.lambdas.length) ctx.addIssue({ code: 'custom', path: ['lambdas'], message: 'lambdas must be distinct' });
    if (new Set(sweep.seeds).size !== sweep.seeds.length) ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'seeds must be distinct' });
    if (new Set(sweep.tasks.map((t) => t.name)).size !== sweep.tasks.length) ctx.addIssue({ code: 'custom', path: ['tasks'], message: 'each task at most once' });
  });

export type SweepDefinition = z.infer<typeof SweepSchema>;
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
export type TaskName = (typeof TASKS)[number];
export type ProbeName = (typeof PROBES)[number];

/** The model a sweep trains: its preset's, with the sweep's decay group. */
export function runModel(sweep: SweepDefinition): ModelConfig {
  return { ...PRESETS[sweep.preset].model, decayGroup: sweep.decayGroup };
}

/** Pretraining updates: the budget's step count, or tokensPerParam * parameters / (B * T). */
export function pretrainSteps(sweep: SweepDefinition): number {
  const { budget, batch } = sweep.pretrain;
  if (budget.kind === 'steps') return budget.value;
  const model = runModel(sweep);
  return Math.max(1, Math.round((budget.value * paramCount(model)) / (batch * model.T)));
}

/** The paper's protocol at the lab preset (science.md): the default sweep. */
export function defaultSweep(preset: PresetName = 'lab'): SweepDefinition {
  const p = PRESETS[preset];
  return {
    version: SWEEP_VERSION,
    name: `${preset}: weight decay sweep`,
    preset,
    decayGroup: 'all',
    lambdas: [0, 0.1, 0.3, 1, 3],
    seeds: [0, 1, 2],
    pretrain: { budget: { kind: 'tokensPerParam', value: p.train.tokensPerParam }, peakLr: p.train.peakLr, batch: p.train.B, warmupFrac: p.train.warmupFrac, minLrFrac: p.train.minLrFrac, evalEvery: 250 },
    finetune: { lr: p.train.peakLr / 3, epochs: 3, batch: 64, weightDecay: 0, warmupFrac: 0.1 },
    tasks: [
      { name: 'ADD-R', trainSize: 40_000, testSize: 500 },
      { name: 'KV', trainSize: 40_000, testSize: 500 },
      { name: 'SENT', trainSize: 20_000, testSize: 1_000 },
      { name: 'DOMAIN', trainSize: 400_000, testSize: 100_000 },
    ],
    probes: ['sentiment', 'genre'],
    randomInitControl: true,
    perturbationSigma: 0.01,
  };
}

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

/** Validates unknown input (a file, a URL, a message) as a sweep; the error names each bad field. */
export function parseSweep(input: unknown, where = 'sweep'): SweepDefinition {
  const result = SweepSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = zodIssueLines(result.error, Infinity);
  throw new SweepError(`${where} is not a valid sweep definition (version ${SWEEP_VERSION}):\n  ${problems.join('\n  ')}`);
}

/** One (lambda, seed) pair: the unit a sweep is made of, resumable, skippable and mergeable. */
export interface RunKey {
  lambda: number;
  seed: number;
}

export function runId({ lambda, seed }: RunKey): string {
  return `wd${lambda}-s${seed}`;
}

/** Every run of a sweep in a fixed order: seeds outer, lambdas inner (paired comparisons finish together). */
export function sweepRuns(sweep: SweepDefinition): RunKey[] {
  return sweep.seeds.flatMap((seed) => sweep.lambdas.map((lambda) => ({ lambda, seed })));
}

/** The runs of shard i of n (0-based): round-robin over sweepRuns, so shards get similar work. */
export function shardRuns(sweep: SweepDefinition, shard: number, shards: number): RunKey[] {
  if (!(Number.isInteger(shards) && shards >= 1 && Number.isInteger(shard) && shard >= 0 && shard < shards)) {
    throw new SweepError(`--shard ${shard}/${shards}: need 0 <= i < n`);
  }
  return sweepRuns(sweep).filter((_, k) => k % shards === shard);
}
