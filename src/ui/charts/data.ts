// Pure derivations from Results to chart data: what every chart plots, computed once per results update
// (the charts memoize on these). Statistics across seeds come from lab/measure/stats.ts.
import { plasticityTable, summarize, type RunRecord, type ScoreDirection } from '../../lab/measure/stats';
import { downsample, type FinetuneResult, type Results, type RunResult, type Series } from '../../lab/results';
import { TASKS, type TaskName } from '../../lab/sweep';
import { LIVE_SERIES } from '../../state/labModel';
import { formatLambda, sortedUnique } from '../controls/sweepEdit';
import { lambdaColor } from './colors';

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

/** The lambda with the best mean (direction decides), or null. */
export function bestLambda(rows: readonly { lambda: number; mean: number | null }[], direction: ScoreDirection): number | null {
  let best: { lambda: number; mean: number } | null = null;
  for (const r of rows) {
    if (!finite(r.mean)) continue;
    if (!best || (direction === 'higher' ? r.mean > best.mean : r.mean < best.mean)) best = { lambda: r.lambda, mean: r.mean };
  }
  return best?.lambda ?? null;
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
  /** fine-tuned(lambda) - fine-tuned(reference lambda), paired by seed, in display units. */
  vsReference: Stat | null;
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
  direction: ScoreDirection;
  rows: PlasticityRow[];
  seeds: (SeedPoint & { gain: number | null })[];
  referenceLambda: number;
  bestFinetuned: number | null;
  bestBase: number | null;
  /** The lambda with the largest mean gain over its base model (a gain is + for better in every unit). */
  bestGain: number | null;
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

interface Measured {
  value: (f: FinetuneResult) => number | null | undefined;
  base: (r: RunResult, f: FinetuneResult) => number | null | undefined;
}

function measured(metric: PlasticityMetric, task: TaskName, scale: number): Measured {
  if (metric === 'nll') {
    return { value: (f) => f.score.answerNll, base: (r) => r.base?.zeroShot.find((z) => z.task === task)?.score.answerNll };
  }
  const value = (f: FinetuneResult) => (finite(f.score.value) ? f.score.value * scale : null);
  const higher = (f: FinetuneResult) => f.score.metric !== 'bpc';
  const fromGain = (f: FinetuneResult) => (finite(f.gain) && finite(value(f)) ? value(f)! - (higher(f) ? 1 : -1) * f.gain * scale : null);
  const zeroShot = (r: RunResult) => r.base?.zeroShot.find((z) => z.task === task)?.score.value;
  return { value, base: (r, f) => (finite(zeroShot(r)) ? zeroShot(r)! * scale : fromGain(f)) };
}

/** One task's plasticity view (score or answer NLL) against lambda, with base val bits/char on the same rows. */
export function plasticityView(runs: readonly RunResult[], axis: LambdaAxis, task: TaskName, metric: PlasticityMetric): PlasticityView | null {
  const pairs = runs.flatMap((r) => r.finetunes.filter((f) => f.task === task).map((f) => ({ r, f })));
  if (!pairs.length) return null;
  const kind = pairs[0].f.score.metric;
  const scale = metric === 'score' && kind !== 'bpc' ? 100 : 1;
  const direction: ScoreDirection = metric === 'nll' || kind === 'bpc' ? 'lower' : 'higher';
  const m = measured(metric, task, scale);
  const records: RunRecord[] = [];
  const seen = new Set<string>();
  for (const { r, f } of pairs) {
    const value = m.value(f);
    if (f.status !== 'done' || !finite(value) || seen.has(`${r.lambda}/${r.seed}`)) continue;
    seen.add(`${r.lambda}/${r.seed}`);
    records.push({ lambda: r.lambda, seed: r.seed, fineTunedScore: value, baseScore: m.base(r, f) ?? NaN, baseValLoss: r.base?.valBitsPerChar ?? NaN });
  }
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
      vsReference: vs && lambda !== referenceLambda ? { mean: vs.mean, band: vs.ci95 ? [vs.ci95.lo, vs.ci95.hi] : null, n: vs.n } : null,
    };
  });
  const seeds = records.map((rec) => ({ x: axis.x(rec.lambda), lambda: rec.lambda, seed: rec.seed, y: rec.fineTunedScore, gain: finite(rec.baseScore) ? (direction === 'higher' ? rec.fineTunedScore - rec.baseScore : rec.baseScore - rec.fineTunedScore) : null }));
  const unit = metric === 'nll' ? 'nats/char' : kind === 'bpc' ? 'bpc' : '%';
  return {
    task,
    metric,
    kind,
    yLabel: metric === 'nll' ? 'answer NLL (nats/char) ↓' : METRIC_LABEL[kind],
    gainLabel: unit === '%' ? 'gain over base (points)' : `gain (${unit}, + is better)`,
    unit,
    direction,
    rows,
    seeds,
    referenceLambda,
    bestFinetuned: bestLambda(rows.map((r) => ({ lambda: r.lambda, mean: r.ft })), direction),
    bestBase: bestLambda(rows.map((r) => ({ lambda: r.lambda, mean: r.base })), 'lower'),
    bestGain: bestLambda(rows.map((r) => ({ lambda: r.lambda, mean: r.gain })), 'higher'),
    excluded: pairs.length - records.length,
    points: rows.filter((r) => r.ft !== null).length,
  };
}

/** Every task with fine-tuning results, in TASKS order: its score view and (exact-match tasks) answer NLL view. */
export function plasticityData(runs: readonly RunResult[], axis: LambdaAxis): PlasticityTask[] {
  return TASKS.flatMap((task) => {
    const score = plasticityView(runs, axis, task, 'score');
    return score ? [{ task, score, nll: score.kind === 'exact' ? plasticityView(runs, axis, task, 'nll') : null }] : [];
  });
}
