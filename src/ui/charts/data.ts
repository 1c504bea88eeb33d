// Pure derivations from Results to chart data: what every chart plots, computed once per results update
// (the charts memoize on these). Statistics across seeds come from lab/measure/stats.ts.
import { countedControls, countedFinetunes, pairedDifferences, plasticityTable, summarize, type RunRecord, type ScoreDirection } from '../../lab/measure/stats';
import { downsample, type ControlResult, type FinetuneResult, type Results, type RunResult, type Series } from '../../lab/results';
import { TASKS, type TaskName } from '../../lab/sweep';
import { LIVE_SERIES } from '../../state/labModel';
import { formatLambda, sortedUnique } from '../controls/sweepEdit';
import { lambdaColor } from './colors';
import { ANY, NON_NEGATIVE, PERCENT, type Range } from './scale';

// ---- shared pieces ----------------------------------------------------------------------------------

/** Mean across seeds with its 95% interval as a [lo, hi] band (null with one seed: no interval). */
export interface Stat {
  mean: number;
  band: [number, number] | null;
  n: number;
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Mean and 95% t interval across seeds of the finite values; null when there are none. */
export function stat(values: readonly (number | null | undefined)[]): Stat | null {
  const xs = values.filter(finite);
  if (!xs.length) return null;
  const s = summarize(xs);
  return { mean: s.mean, band: s.ci95 ? [s.ci95.lo, s.ci95.hi] : null, n: s.n };
}

/** The lambdas the charts share: the sweep's grid and every run's, ascending. */
export function chartLambdas(results: Pick<Results, 'sweep' | 'runs'>): number[] {
  return sortedUnique([...results.sweep.lambdas, ...results.runs.map((r) => r.lambda)]);
}

/** Lambda axes are ordinal: x is the lambda's index in the shared list, ticks are labelled with lambda. */
export interface LambdaAxis {
  lambdas: number[];
  ticks: number[];
  x: (lambda: number) => number;
  label: (x: number) => string;
}

export function lambdaAxis(lambdas: readonly number[]): LambdaAxis {
  const sorted = sortedUnique(lambdas);
  return { lambdas: sorted, ticks: sorted.map((_, i) => i), x: (l) => sorted.indexOf(l), label: (x) => (sorted[x] === undefined ? '' : formatLambda(sorted[x])) };
}

/** One row of a chart against lambda: recharts reads mean / band from it. */
export interface LambdaRow {
  x: number;
  lambda: number;
  label: string;
  color: string;
}

export interface SeedPoint {
  x: number;
  lambda: number;
  seed: number;
  y: number;
}

function lambdaRow(axis: LambdaAxis, lambda: number): LambdaRow {
  return { x: axis.x(lambda), lambda, label: formatLambda(lambda), color: lambdaColor(lambda) };
}

/** Values of each run grouped by lambda (ascending), skipping runs without a finite value. */
function byLambda(runs: readonly RunResult[], value: (r: RunResult) => number | null | undefined): Map<number, { seed: number; y: number }[]> {
  const groups = new Map<number, { seed: number; y: number }[]>();
  for (const r of [...runs].sort((a, b) => a.lambda - b.lambda || a.seed - b.seed)) {
    const y = value(r);
    if (finite(y)) groups.set(r.lambda, [...(groups.get(r.lambda) ?? []), { seed: r.seed, y }]);
  }
  return groups;
}

export interface ScalarRow extends LambdaRow {
  mean: number;
  band: [number, number] | null;
  n: number;
}

/** One value per run, summarized per lambda, plus every seed's point. */
export function scalarByLambda(runs: readonly RunResult[], axis: LambdaAxis, value: (r: RunResult) => number | null | undefined): { rows: ScalarRow[]; seeds: SeedPoint[] } {
  const rows: ScalarRow[] = [];
  const seeds: SeedPoint[] = [];
  for (const [lambda, group] of byLambda(runs, value)) {
    const s = stat(group.map((g) => g.y))!;
    rows.push({ ...lambdaRow(axis, lambda), mean: s.mean, band: s.band, n: s.n });
    for (const g of group) seeds.push({ x: axis.x(lambda), lambda, seed: g.seed, y: g.y });
  }
  return { rows, seeds };
}

/** Means closer than this (relative) are a tie: exact ties like 100% and 100% survive float arithmetic. */
const TIE = 1e-9;

/** The lambdas tied for the best mean (direction decides), ascending; empty when no mean is finite. */
export function bestLambdas(rows: readonly { lambda: number; mean: number | null }[], direction: ScoreDirection): number[] {
  const sign = direction === 'higher' ? 1 : -1;
  const xs = rows.filter((r): r is { lambda: number; mean: number } => finite(r.mean));
  if (!xs.length) return [];
  const top = Math.max(...xs.map((r) => sign * r.mean));
  return sortedUnique(xs.filter((r) => sign * r.mean >= top - TIE * Math.max(1, Math.abs(top))).map((r) => r.lambda));
}

// ---- curves over steps ------------------------------------------------------------------------------

export interface CurveLine {
  id: string;
  lambda: number;
  seed: number;
  name: string;
  color: string;
  data: { x: number; y: number | null }[];
}

export interface CurveView {
  key: string;
  label: string;
  yLabel: string;
  lines: CurveLine[];
  /** Plotted (finite) points over all lines. */
  points: number;
}

export function curveLine(run: RunResult, series: Series, maxPoints: number): CurveLine {
  const s = downsample(series, maxPoints);
  return {
    id: run.id,
    lambda: run.lambda,
    seed: run.seed,
    name: `λ ${formatLambda(run.lambda)} · seed ${run.seed}`,
    color: lambdaColor(run.lambda),
    data: s.x.map((x, i) => ({ x, y: finite(s.y[i]) ? s.y[i] : null })),
  };
}

function curveView(key: string, label: string, yLabel: string, lines: CurveLine[]): CurveView {
  return { key, label, yLabel, lines, points: lines.reduce((n, l) => n + l.data.filter((p) => p.y !== null).length, 0) };
}

const byLambdaSeed = (a: RunResult, b: RunResult) => a.lambda - b.lambda || a.seed - b.seed;

/** Live series streamed for runs in flight, by run id (the lab slice's `live`; names as in LIVE_SERIES). */
export type LiveSeries = Readonly<Record<string, { series: Readonly<Record<string, Series>> }>>;

/**
 * Loss curves: pretraining (training loss, validation bits/char) and each task's fine-tuning loss; only views
 * with data. A run's final curve wins; until it arrives, its live series (if any) is drawn.
 */
export function lossCurves(runs: readonly RunResult[], maxPoints = 300, live: LiveSeries = {}): CurveView[] {
  const sorted = [...runs].sort(byLambdaSeed);
  const liveOf = (r: RunResult, name: string) => live[r.id]?.series[name];
  const lines = (pick: (r: RunResult) => Series | undefined) => sorted.flatMap((r) => {
    const s = pick(r);
    return s && s.x.length ? [curveLine(r, s, maxPoints)] : [];
  });
  const finetune = (task: TaskName) => (r: RunResult) => r.finetunes.find((f) => f.task === task)?.curve ?? liveOf(r, LIVE_SERIES.finetuneLoss(task));
  const views = [
    curveView('pretrain', 'Pretraining loss', 'training loss (nats/char)', lines((r) => r.pretrain?.loss ?? liveOf(r, LIVE_SERIES.pretrainLoss))),
    curveView('val', 'Validation bits/char', 'validation bits/char', lines((r) => r.pretrain?.valBitsPerChar ?? liveOf(r, LIVE_SERIES.pretrainValBitsPerChar))),
    ...TASKS.map((task) => curveView(`ft:${task}`, `Fine-tuning: ${task}`, `${task} fine-tuning loss (nats/char)`, lines(finetune(task)))),
  ];
  return views.filter((v) => v.lines.length > 0);
}

/**
 * Weight norms over pretraining. The runner records rows [0] the embeddings (wte), [1..L] each block's
 * tensors together, [L+1] the head (final norm and wlm); views: all of them together (root sum of squares)
 * and each row, named for what it is.
 */
export function weightNormCurves(runs: readonly RunResult[], maxPoints = 200): CurveView[] {
  const sorted = [...runs].sort(byLambdaSeed).filter((r) => r.pretrain && r.pretrain.weightNorms.step.length);
  const rows = Math.max(0, ...sorted.map((r) => r.pretrain!.weightNorms.layers.length));
  const pick = (r: RunResult, row: number | 'all'): Series => {
    const { step, layers } = r.pretrain!.weightNorms;
    const y = row === 'all' ? step.map((_, k) => Math.sqrt(layers.reduce((acc, l) => acc + (l[k] ?? 0) ** 2, 0))) : step.map((_, k) => layers[row]?.[k] ?? null);
    return { x: step, y };
  };
  const name = (row: number | 'all') => (row === 'all' ? 'All parameters' : row === 0 ? 'Embeddings' : row === rows - 1 ? 'Head (final norm, wlm)' : `Layer ${row - 1}`);
  const view = (row: number | 'all') => curveView(String(row), name(row), `weight norm, ${name(row).toLowerCase()}`, sorted.map((r) => curveLine(r, pick(r, row), maxPoints)));
  return sorted.length ? [view('all'), ...Array.from({ length: rows }, (_, l) => view(l))] : [];
}

// ---- plasticity ---------------------------------------------------------------------------------------

export type PlasticityMetric = 'score' | 'nll';

export interface PlasticityRow extends LambdaRow {
  ft: number | null;
  ftBand: [number, number] | null;
  gain: number | null;
  gainBand: [number, number] | null;
  /** Base validation bits/char (all runs of this lambda with a base measurement). */
  base: number | null;
  baseBand: [number, number] | null;
  n: number;
  /** Fine-tuned(lambda) against fine-tuned(reference lambda), paired by seed, in display units, oriented so
   *  that + is better in every unit (for bits/char and NLL: reference minus lambda). */
  vsReference: Stat | null;
}

/** Where a plotted optimum sits against the base-loss optimum. */
export interface Optimum {
  /** The lambdas tied for the best mean, ascending; empty when nothing is plotted. */
  best: number[];
  /** Each best lambda that is not a base optimum minus the (first) base optimum, paired by seed, + = better;
   *  diff null where the two share no seed. Empty when a best lambda is a base optimum. */
  vsBase: { lambda: number; diff: Stat | null }[];
}

export interface PlasticityView {
  task: TaskName;
  metric: PlasticityMetric;
  /** The task's own score metric (exact match, accuracy, bits/char). */
  kind: FinetuneResult['score']['metric'];
  yLabel: string;
  gainLabel: string;
  /** Percent for exact match and accuracy, raw for bits/char and NLL. */
  unit: '%' | 'bpc' | 'nats/char';
  /** What each quantity can be: the value, its gain, a paired difference of values and one of gains. The
   *  statistics here are left whole (the report prints their half-widths); the chart cuts bands to these. */
  range: PlasticityRanges;
  direction: ScoreDirection;
  rows: PlasticityRow[];
  seeds: (SeedPoint & { gain: number | null })[];
  referenceLambda: number;
  /** The lambdas tied for the best base validation loss. */
  bestBase: number[];
  /** The best fine-tuned mean, and the largest mean gain over the base model (+ is better in every unit);
   *  gain is null for answer NLL, which has no meaningful gain (see plasticityView). */
  optimum: { ft: Optimum; gain: Optimum | null };
  /** The random-init control (each seed's untrained model fine-tuned on the task) in the same units as the
   *  fine-tuned value: mean and 95% band across seeds; null without controls or without this measurement. */
  control: Stat | null;
  /** Fine-tuning results left out: not done (diverged, failed) or no value. */
  excluded: number;
  points: number;
}

export interface PlasticityTask {
  task: TaskName;
  score: PlasticityView | null;
  /** Answer NLL view, for exact-match tasks that record it. */
  nll: PlasticityView | null;
}

const METRIC_LABEL = { exact: 'exact match (%)', accuracy: 'accuracy (%)', bpc: 'bits/char ↓' } as const;

/** What each quantity can be: a percentage lies in [0, 100], a gain or a paired difference of two in [-100, 100]
 *  and a difference of two gains in [-200, 200]; bits/char and NLL are >= 0 and their differences unbounded. */
export type PlasticityRanges = Record<'value' | 'gain' | 'diff' | 'gainDiff', Range>;
const RANGES: Record<'%' | 'loss', PlasticityRanges> = {
  '%': { value: PERCENT, gain: [-100, 100], diff: [-100, 100], gainDiff: [-200, 200] },
  loss: { value: NON_NEGATIVE, gain: ANY, diff: ANY, gainDiff: ANY },
};

interface Measured {
  value: (f: FinetuneResult) => number | null | undefined;
  base: (r: RunResult, f: FinetuneResult) => number | null | undefined;
}

/**
 * What a view reads from a fine-tune and from its base model. Answer NLL has no base: the base model's
 * zero-shot NLL is taken on a prompt format it never saw, so it measures calibration (KV on the H200 sweep:
 * 8.8 nats/char at λ 0, 5.9 at 0.3, 4.8 at 1) and a gain over it would reward the worst-calibrated base.
 */
function measured(metric: PlasticityMetric, task: TaskName, scale: number): Measured {
  if (metric === 'nll') return { value: (f) => f.score.answerNll, base: () => null };
  const value = (f: FinetuneResult) => (finite(f.score.value) ? f.score.value * scale : null);
  const higher = (f: FinetuneResult) => f.score.metric !== 'bpc';
  const fromGain = (f: FinetuneResult) => (finite(f.gain) && finite(value(f)) ? value(f)! - (higher(f) ? 1 : -1) * f.gain * scale : null);
  const zeroShot = (r: RunResult) => r.base?.zeroShot.find((z) => z.task === task)?.score.value;
  return { value, base: (r, f) => (finite(zeroShot(r)) ? zeroShot(r)! * scale : fromGain(f)) };
}

/** The random-init controls of a task (finished ones, one per seed) in the view's units. */
export function controlStat(controls: readonly ControlResult[], task: TaskName, metric: PlasticityMetric, scale: number): Stat | null {
  return stat(countedControls(controls, task).map(({ result: { score } }) => (metric === 'nll' ? score.answerNll : finite(score.value) ? score.value * scale : null)));
}

const toStat = (s: { mean: number; ci95: { lo: number; hi: number } | null; n: number }, sign = 1): Stat => ({
  mean: sign * s.mean,
  band: s.ci95 ? [Math.min(sign * s.ci95.lo, sign * s.ci95.hi), Math.max(sign * s.ci95.lo, sign * s.ci95.hi)] : null,
  n: s.n,
});

/** The best lambdas of an oriented per-seed value (+ = better), each against the base optimum, paired by seed. */
function optimumOf(points: readonly { lambda: number; seed: number; y: number | null }[], bestBase: readonly number[]): Optimum {
  const at = (lambda: number) => points.filter((p): p is { lambda: number; seed: number; y: number } => p.lambda === lambda && finite(p.y)).map((p) => ({ seed: p.seed, value: p.y }));
  const lambdas = sortedUnique(points.map((p) => p.lambda));
  const best = bestLambdas(lambdas.map((lambda) => ({ lambda, mean: stat(at(lambda).map((p) => p.value))?.mean ?? null })), 'higher');
  if (!bestBase.length || best.some((l) => bestBase.includes(l))) return { best, vsBase: [] };
  const base = at(bestBase[0]);
  const vsBase = best.map((lambda) => {
    const mine = at(lambda);
    const shared = mine.some((p) => base.some((q) => q.seed === p.seed));
    return { lambda, diff: shared ? toStat(pairedDifferences(mine, base)) : null };
  });
  return { best, vsBase };
}

/** One task's plasticity view (score or answer NLL) against lambda, with base val bits/char on the same rows. */
export function plasticityView(runs: readonly RunResult[], axis: LambdaAxis, task: TaskName, metric: PlasticityMetric, controls: readonly ControlResult[] = []): PlasticityView | null {
  const all = runs.flatMap((r) => r.finetunes.filter((f) => f.task === task));
  if (!all.length) return null;
  const kind = all[0].score.metric;
  const scale = metric === 'score' && kind !== 'bpc' ? 100 : 1;
  const direction: ScoreDirection = metric === 'nll' || kind === 'bpc' ? 'lower' : 'higher';
  const sign = direction === 'higher' ? 1 : -1;
  const m = measured(metric, task, scale);
  const records: RunRecord[] = countedFinetunes(runs, task)
    .filter(({ finetune }) => finite(m.value(finetune)))
    .map(({ run: r, finetune: f }) => ({ lambda: r.lambda, seed: r.seed, fineTunedScore: m.value(f)!, baseScore: m.base(r, f) ?? NaN, baseValLoss: r.base?.valBitsPerChar ?? NaN }));
  if (metric === 'nll' && !records.length) return null;
  const lambdas = sortedUnique(records.map((r) => r.lambda));
  const referenceLambda = lambdas.includes(0.1) ? 0.1 : (lambdas[0] ?? 0);
  const table = records.length ? plasticityTable(records, { direction, reference: referenceLambda }) : [];
  const base = scalarByLambda(runs, axis, (r) => r.base?.valBitsPerChar).rows;
  const rows = sortedUnique([...table.map((t) => t.lambda), ...base.map((b) => b.lambda)]).map((lambda): PlasticityRow => {
    const t = table.find((row) => row.lambda === lambda);
    const b = base.find((row) => row.lambda === lambda);
    const band = (s: { ci95: { lo: number; hi: number } | null } | undefined) => (s?.ci95 && finite(s.ci95.lo) ? ([s.ci95.lo, s.ci95.hi] as [number, number]) : null);
    const vs = t?.fineTunedVsReference;
    return {
      ...lambdaRow(axis, lambda),
      ft: t ? t.fineTuned.mean : null,
      ftBand: band(t?.fineTuned),
      gain: t && finite(t.gain.mean) ? t.gain.mean : null,
      gainBand: band(t?.gain),
      base: b ? b.mean : null,
      baseBand: b?.band ?? null,
      n: t?.seeds.length ?? 0,
      vsReference: vs && lambda !== referenceLambda ? toStat(vs, sign) : null,
    };
  });
  const seeds = records.map((rec) => ({ x: axis.x(rec.lambda), lambda: rec.lambda, seed: rec.seed, y: rec.fineTunedScore, gain: finite(rec.baseScore) ? sign * (rec.fineTunedScore - rec.baseScore) : null }));
  const bestBase = bestLambdas(rows.map((r) => ({ lambda: r.lambda, mean: r.base })), 'lower');
  const unit = metric === 'nll' ? 'nats/char' : kind === 'bpc' ? 'bpc' : '%';
  return {
    task,
    metric,
    kind,
    yLabel: metric === 'nll' ? 'answer NLL (nats/char) ↓' : METRIC_LABEL[kind],
    gainLabel: unit === '%' ? 'gain over base (points)' : `gain (${unit}, + is better)`,
    unit,
    range: RANGES[scale === 100 ? '%' : 'loss'],
    direction,
    rows,
    seeds,
    referenceLambda,
    bestBase,
    optimum: {
      ft: optimumOf(seeds.map((p) => ({ ...p, y: sign * p.y })), bestBase),
      gain: metric === 'nll' ? null : optimumOf(seeds.map((p) => ({ ...p, y: p.gain })), bestBase),
    },
    control: controlStat(controls, task, metric, scale),
    excluded: all.length - records.length,
    points: rows.filter((r) => r.ft !== null).length,
  };
}

/** Every task with fine-tuning results, in TASKS order: its score view and (exact-match tasks) answer NLL view. */
export function plasticityData(runs: readonly RunResult[], axis: LambdaAxis, controls: readonly ControlResult[] = []): PlasticityTask[] {
  return TASKS.flatMap((task) => {
    const score = plasticityView(runs, axis, task, 'score', controls);
    return score ? [{ task, score, nll: score.kind === 'exact' ? plasticityView(runs, axis, task, 'nll', controls) : null }] : [];
  });
}
