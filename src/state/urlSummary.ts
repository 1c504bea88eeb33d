// The results summary a share URL carries in its fragment: the results document with per-step detail
// dropped (curves downsampled, score-by-step curves, singular values and event logs left out, numbers
// rounded to what a chart shows, curves delta-packed by curvePack.ts), the sweep left out (the URL's
// settings carry it), JSON, deflated, base64url. Decoding validates it with the results schema after a
// size-capped inflate; every failure is a PayloadError with a reason.
import { z } from 'zod';
import { downsample, parseResults, type BaseMeasurements, type FinetuneResult, type Results, type RunResult, type Series } from '../lab/results';
import type { SweepDefinition } from '../lab/sweep';
import { isSeries, packNumbers, packSeries, unpackReviver } from './curvePack';
import type { SharedView } from './labModel';
import { decodeUtf8, deflate, fnv1a, fromBase64Url, inflateBounded, PayloadError, toBase64Url } from './urlBytes';

/** Summary format inside the fragment (bumped with the URL version when its meaning changes). */
export const SUMMARY_FORMAT = 1;
/** Points per curve in a summary: enough for a chart line. */
export const SUMMARY_CURVE_POINTS = 32;
/** Points per weight-norm track. */
export const SUMMARY_NORM_POINTS = 6;
/** Significant digits kept by curves and most numbers (see PRECISE_KEYS). */
export const SUMMARY_DIGITS = 3;
/** Caps on what a link may make the page read: encoded characters and decompressed bytes. */
export const MAX_SUMMARY_CHARS = 1_000_000;
export const MAX_SUMMARY_BYTES = 2 * 2 ** 20;

// Results without the sweep (it travels as readable URL keys), plus when and against which settings.
const SummaryEnvelopeSchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  sharedAt: z.iso.datetime(),
  settings: z.string().regex(/^[0-9a-f]{8}$/),
  results: z.record(z.string(), z.unknown()),
});

const curve = (s: Series): Series => downsample(s, SUMMARY_CURVE_POINTS);

function summarizeNorms(norms: NonNullable<RunResult['pretrain']>['weightNorms']): NonNullable<RunResult['pretrain']>['weightNorms'] {
  const n = norms.step.length;
  if (n <= SUMMARY_NORM_POINTS) return norms;
  const idx = Array.from({ length: SUMMARY_NORM_POINTS }, (_, k) => Math.round((k * (n - 1)) / (SUMMARY_NORM_POINTS - 1)));
  return { step: idx.map((i) => norms.step[i]), layers: norms.layers.map((layer) => idx.map((i) => layer[i])) };
}

function summarizeBase(base: BaseMeasurements): BaseMeasurements {
  const noValues = { singularValues: [] as number[] };
  return { ...base, spectra: base.spectra.map((s) => ({ ...s, qk: { ...s.qk, ...noValues }, vo: { ...s.vo, ...noValues } })) };
}

/** The loss curve stays; the score-by-step curve goes (stepsTo50 keeps its one number that tables use). */
function summarizeFinetune({ scoreCurve: _scoreCurve, ...f }: FinetuneResult): FinetuneResult {
  return { ...f, curve: curve(f.curve) };
}

function summarizeRun(run: RunResult): RunResult {
  const p = run.pretrain;
  return {
    ...run,
    ...(run.error !== undefined ? { error: run.error.slice(0, 200) } : {}),
    pretrain: p && { ...p, loss: curve(p.loss), valBitsPerChar: curve(p.valBitsPerChar), weightNorms: summarizeNorms(p.weightNorms) },
    base: run.base && summarizeBase(run.base),
    finetunes: run.finetunes.map(summarizeFinetune),
    events: [],
  };
}

/** A smaller results document that still validates: what the charts and tables need, nothing per-step. */
export function summarizeResults(results: Results): Results {
  return {
    ...results,
    runs: results.runs.map(summarizeRun),
    controls: results.controls.map((c) => ({ ...c, result: summarizeFinetune(c.result) })),
  };
}

// Numbers a summary keeps exactly (they key runs) and those the tables compare closely; the rest (probe
// accuracies, ranks, timings) keep SUMMARY_DIGITS significant digits.
const EXACT_KEYS = new Set(['lambda', 'seed', 'sigma']);
const PRECISE_KEYS = new Set([
  ...['valBitsPerChar', 'seenBitsPerChar', 'unseenBitsPerChar', 'trainValGap', 'domainBitsPerChar', 'bitsPerCharIncrease'],
  ...['value', 'gain', 'answerNll', 'forgetting', 'S', 'shrink', 'tauOverT'],
]);
const PRECISE_DIGITS = 5;

/** JSON replacer: curves packed (curvePack.ts), numbers rounded by key, NaN/Infinity as null. */
function summaryReplacer(key: string, value: unknown): unknown {
  if (isSeries(value)) return packSeries(value, SUMMARY_DIGITS);
  if (key === 'layers' && Array.isArray(value)) return value.map((track: number[]) => packNumbers(track, SUMMARY_DIGITS));
  if (typeof value !== 'number') return value;
  if (!Number.isFinite(value)) return null;
  if (Number.isInteger(value) || EXACT_KEYS.has(key)) return value;
  return Number(value.toPrecision(PRECISE_KEYS.has(key) ? PRECISE_DIGITS : SUMMARY_DIGITS));
}

/** The fragment payload for `results`; `settingsKey` is the canonical settings text it must travel with. */
export function encodeSummary(results: Results, settingsKey: string, sharedAt: string): string {
  const rest: Partial<Results> = summarizeResults(results);
  delete rest.sweep; // the URL's settings carry it
  const json = JSON.stringify({ format: SUMMARY_FORMAT, sharedAt, settings: fnv1a(settingsKey), results: rest }, summaryReplacer);
  return toBase64Url(deflate(new TextEncoder().encode(json)));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, unpackReviver);
  } catch (error) {
    throw new PayloadError(`the results data is not JSON (${(error as Error).message})`);
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** The shared view a fragment payload describes, against the URL's decoded sweep; throws PayloadError. */
export function decodeSummary(text: string, sweep: SweepDefinition, settingsKey: string): SharedView {
  if (text.length > MAX_SUMMARY_CHARS) throw new PayloadError(`the results data is too long (${text.length} characters; at most ${MAX_SUMMARY_CHARS})`);
  const json = decodeUtf8(inflateBounded(fromBase64Url(text), MAX_SUMMARY_BYTES));
  const envelope = SummaryEnvelopeSchema.safeParse(parseJson(json));
  if (!envelope.success) {
    const format = envelope.error.issues.some((i) => i.path[0] === 'format');
    throw new PayloadError(format ? `the results data has an unknown format (this page reads format ${SUMMARY_FORMAT})` : `the results data is malformed (${issuesText(envelope.error)})`);
  }
  const { sharedAt, settings, results } = envelope.data;
  if (settings !== fnv1a(settingsKey)) throw new PayloadError("the results do not match the link's settings (was the link edited?)");
  let parsed: Results;
  try {
    parsed = parseResults({ ...results, sweep }, 'the shared results');
  } catch (error) {
    throw new PayloadError((error as Error).message.replace(/\n\s*/g, ' '));
  }
  return { results: parsed, device: parsed.device.adapter, date: sharedAt };
}
