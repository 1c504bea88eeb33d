// The results schema: one versioned JSON document per sweep, written by the runner (page and CLI alike),
// validated on every read (import, IndexedDB, shard merge, share URL), exported and imported by the page.
import { z } from 'zod';
import { SweepSchema, TASKS } from './sweep';
import { zodIssueLines } from '../util/zodIssues';

export const RESULTS_VERSION = 1;

const num = z.number(); // finite or not: a diverged run's loss may be NaN, serialized as null
const maybeNum = z.number().nullable();

/** A curve as two parallel arrays (compact in JSON and share URLs); downsampled by the runner. */
export const SeriesSchema = z.object({ x: z.array(num), y: z.array(maybeNum) }).refine((s) => s.x.length === s.y.length, 'x and y differ in length');

export const ScoreSchema = z.object({
  /** exact: greedy exact match (ADD-R, KV, PIGLATIN); accuracy: likelihood choice (SENT); bpc: bits per char (DOMAIN, lower is better). */
  metric: z.enum(['exact', 'accuracy', 'bpc']),
  value: maybeNum,
  /** Teacher-forced answer NLL in nats per answer character (exact-match tasks). */
  answerNll: maybeNum.optional(),
});

export const FinetuneSchema = z.object({
  task: z.enum(TASKS),
  score: ScoreSchema,
  /** Score after fine-tuning minus the base model's zero-shot score (bpc: base minus after, so positive is better). */
  gain: maybeNum,
  curve: SeriesSchema, // fine-tuning loss by step
  scoreCurve: SeriesSchema.optional(), // task score by step, where measured during fine-tuning
  /** Fine-tuning steps until exact match first reached 50% (null: never). */
  stepsTo50: z.number().int().nullable().optional(),
  /** DOMAIN: pretraining validation bits/char after fine-tuning minus before. */
  forgetting: maybeNum.optional(),
  status: z.enum(['done', 'diverged', 'failed']),
  seconds: num,
});

export const ProbeResultSchema = z.object({
  probe: z.enum(['sentiment', 'genre']),
  layer: z.number().int().min(0), // 0 = embeddings, l = after layer l
  pooling: z.enum(['last', 'mean']),
  accuracy: num,
  /** The same probe on an untrained (random-init) model of the same seed: the baseline to beat. */
  untrained: num,
});

const RankSchema = z.object({ pseudoRank2: num, pseudoRank3: num, effectiveRank: num, singularValues: z.array(num) });
export const SpectrumSchema = z.object({ layer: z.number().int().min(0), head: z.number().int().min(0), qk: RankSchema, vo: RankSchema });

export const BaseSchema = z.object({
  valBitsPerChar: maybeNum,
  /** Loss on fixed samples of training text seen vs validation text unseen (bits/char) and their gap. */
  seenBitsPerChar: maybeNum,
  unseenBitsPerChar: maybeNum,
  trainValGap: maybeNum,
  /** Increase in validation bits/char under a relative Gaussian weight perturbation of `sigma`. */
  perturbation: z.object({ sigma: num, bitsPerCharIncrease: maybeNum }).nullable(),
  /** Zero-shot bits/char on the DOMAIN text (never pretrained on). */
  domainBitsPerChar: maybeNum.optional(),
  zeroShot: z.array(z.object({ task: z.enum(TASKS), score: ScoreSchema })),
  probes: z.array(ProbeResultSchema),
  spectra: z.array(SpectrumSchema),
  /** Wall seconds each measurement took (validation, perturbation, zero-shot <task>, probes <probe>, spectra). */
  seconds: z.record(z.string(), num).optional(),
});

export const RunEventSchema = z.object({ time: z.string(), kind: z.string(), message: z.string() });

export const RunResultSchema = z.object({
  id: z.string(),
  lambda: num,
  seed: z.number().int(),
  status: z.enum(['pending', 'pretraining', 'measuring', 'finetuning', 'done', 'diverged', 'failed']),
  error: z.string().optional(),
  timescale: z.object({ S: num, shrink: num, tauOverT: maybeNum }), // tau/T is infinite (null) at lambda 0
  pretrain: z
    .object({
      steps: z.number().int(),
      tokens: num,
      seconds: num,
      tokensPerSecond: num,
      loss: SeriesSchema, // training loss by step
      valBitsPerChar: SeriesSchema, // validation bits/char by step
      // layers[i][k] at step[k]; rows: [0] embeddings, [1..L] each block, [L+1] final norm and head
      weightNorms: z.object({ step: z.array(num), layers: z.array(z.array(num)) }),
    })
    .nullable(),
  base: BaseSchema.nullable(),
  finetunes: z.array(FinetuneSchema),
  events: z.array(RunEventSchema),
  device: z.string(),
});

export const ControlSchema = z.object({ task: z.enum(TASKS), seed: z.number().int(), result: FinetuneSchema });

export const ResultsSchema = z.object({
  kind: z.literal('plasticity-lab-results'),
  version: z.literal(RESULTS_VERSION),
  sweep: SweepSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Where it ran: adapter description and build, so shared results say which device made them. */
  device: z.object({ adapter: z.string(), vendor: z.string(), architecture: z.string(), build: z.string() }),
  runs: z.array(RunResultSchema),
  controls: z.array(ControlSchema),
});

export type Series = z.infer<typeof SeriesSchema>;
export type Score = z.infer<typeof ScoreSchema>;
export type FinetuneResult = z.infer<typeof FinetuneSchema>;
export type ProbeResult = z.infer<typeof ProbeResultSchema>;
export type Spectrum = z.infer<typeof SpectrumSchema>;
export type BaseMeasurements = z.infer<typeof BaseSchema>;
export type RunEvent = z.infer<typeof RunEventSchema>;
export type RunResult = z.infer<typeof RunResultSchema>;
export type ControlResult = z.infer<typeof ControlSchema>;
export type Results = z.infer<typeof ResultsSchema>;

/** A run's statuses that end it: nothing more will be trained for it (a stopped run keeps its last phase's). */
export const TERMINAL_STATUSES: ReadonlySet<RunResult['status']> = new Set(['done', 'diverged', 'failed']);
export const isFinishedRun = (run: Pick<RunResult, 'status'>): boolean => TERMINAL_STATUSES.has(run.status);

export class ResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsError';
  }
}

/** Validates unknown input as results; the error names the bad fields (the first few). */
export function parseResults(input: unknown, where = 'results'): Results {
  const result = ResultsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = zodIssueLines(result.error);
  throw new ResultsError(`${where} is not a valid Plasticity Lab results file (version ${RESULTS_VERSION}):\n  ${problems.join('\n  ')}`);
}

/** JSON with NaN/Infinity as null (JSON has neither); the schema reads them back as null. */
export function resultsToJson(results: Results): string {
  return JSON.stringify(results, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** Keeps at most `max` points of a curve: evenly spaced, always the first and last. */
export function downsample(series: Series, max: number): Series {
  const n = series.x.length;
  if (n <= max) return series;
  const idx = Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
  return { x: idx.map((i) => series.x[i]), y: idx.map((i) => series.y[i]) };
}
