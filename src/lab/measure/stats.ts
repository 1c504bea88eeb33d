// Statistics across seeds (science.md: effects are small next to seed noise, so every plot carries 95%
// confidence intervals and lambdas are compared paired by seed, since seeds share the data order across
// lambda). Student t intervals with n - 1 degrees of freedom; the t critical value is computed exactly for
// integer degrees of freedom (no table, no library).
import type { ControlResult, FinetuneResult, RunResult } from '../results';

export interface Interval {
  lo: number;
  hi: number;
  halfWidth: number;
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator); null for n = 1, where it is undefined. */
  std: number | null;
  /** mean +- t(0.975, n - 1) * std / sqrt(n); null for n = 1: one seed gives no interval. */
  ci95: Interval | null;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean: no values');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1 denominator); null when n < 2. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((acc, x) => acc + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * P(|T| <= t) for Student's t with integer dof >= 1, in closed form (Abramowitz & Stegun 26.7.3, 26.7.4):
 * with theta = atan(t / sqrt(dof)) and c = cos(theta),
 *   dof odd:  (2/pi) (theta + sin(theta) (c + 2/3 c^3 + (2*4)/(3*5) c^5 + ... up to c^(dof-2)))  (just 2 theta/pi at 1)
 *   dof even: sin(theta) (1 + 1/2 c^2 + (1*3)/(2*4) c^4 + ... up to c^(dof-2))
 */
export function tCoverage(t: number, dof: number): number {
  if (!Number.isInteger(dof) || dof < 1) throw new Error(`tCoverage: dof must be a positive integer, got ${dof}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(dof));
  const c2 = Math.cos(theta) ** 2;
  if (dof % 2 === 0) {
    let term = 1;
    let sum = 1;
    for (let j = 2; j <= dof - 2; j += 2) {
      term *= ((j - 1) / j) * c2;
      sum += term;
    }
    return Math.sin(theta) * sum;
  }
  let term = Math.cos(theta);
  let sum = dof > 1 ? term : 0;
  for (let j = 3; j <= dof - 2; j += 2) {
    term *= ((j - 1) / j) * c2;
    sum += term;
  }
  return (2 / Math.PI) * (theta + Math.sin(theta) * sum);
}

/** The t with P(|T| <= t) = confidence, by bisection on tCoverage (e.g. dof 1 -> 12.706, dof 4 -> 2.776). */
export function tCritical(dof: number, confidence = 0.95): number {
  if (!(confidence > 0 && confidence < 1)) throw new Error(`tCritical: confidence must be in (0, 1), got ${confidence}`);
  let lo = 0;
  let hi = 1;
  while (tCoverage(hi, dof) < confidence) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCoverage(mid, dof) < confidence) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Mean, sample std and 95% t interval of values across seeds. */
export function summarize(xs: readonly number[]): Summary {
  const m = mean(xs);
  const std = sampleStd(xs);
  if (std === null) return { n: xs.length, mean: m, std: null, ci95: null };
  const halfWidth = (tCritical(xs.length - 1) * std) / Math.sqrt(xs.length);
  return { n: xs.length, mean: m, std, ci95: { lo: m - halfWidth, hi: m + halfWidth, halfWidth } };
}

export interface SeedValue {
  seed: number;
  value: number;
}

export interface PairedSummary extends Summary {
  /** Seeds present on both sides, ascending: the pairs the summary is over. */
  seeds: number[];
  /** Seeds present on one side only (left out). */
  unpaired: number[];
}

function bySeed(values: readonly SeedValue[], who: string): Map<number, number> {
  const map = new Map<number, number>();
  for (const { seed, value } of values) {
    if (map.has(seed)) throw new Error(`${who}: seed ${seed} appears twice`);
    map.set(seed, value);
  }
  return map;
}

/**
 * Paired differences value(seed) - reference(seed) over the seeds both sides have, summarized (mean, std,
 * 95% t interval of the differences). Pairing removes the seed-to-seed variation both runs share.
 */
export function pairedDifferences(values: readonly SeedValue[], reference: readonly SeedValue[]): PairedSummary {
  const a = bySeed(values, 'pairedDifferences (values)');
  const b = bySeed(reference, 'pairedDifferences (reference)');
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  const unpaired = [...new Set([...a.keys(), ...b.keys()])].filter((s) => !(a.has(s) && b.has(s))).sort((x, y) => x - y);
  if (seeds.length === 0) throw new Error(`pairedDifferences: no seed on both sides (unpaired ${unpaired.join(', ')})`);
  return { ...summarize(seeds.map((s) => a.get(s)! - b.get(s)!)), seeds, unpaired };
}

/** One pretrained model (lambda, seed) and what the lab measured on one task. */
export interface RunRecord {
  lambda: number;
  seed: number;
  baseScore: number; // the task metric of the base model before fine-tuning
  fineTunedScore: number; // the same metric after fine-tuning
  baseValLoss: number; // base validation loss (bits/char)
}

/**
 * The fine-tunes every plasticity summary counts, the page's charts, the report and the CSV export alike: a
 * run's fine-tune on `task` that finished ('done'; diverged and failed ones are left out), whatever the run's
 * own status (a run stopped later, on another task, keeps what it finished); one per (lambda, seed), the first
 * in run order. A quantity is then read from these where it is finite.
 */
export function countedFinetunes(runs: readonly RunResult[], task: FinetuneResult['task']): { run: RunResult; finetune: FinetuneResult }[] {
  const seen = new Set<string>();
  return runs.flatMap((run) => {
    const finetune = run.finetunes.find((f) => f.task === task && f.status === 'done');
    const key = `${run.lambda}/${run.seed}`;
    if (!finetune || seen.has(key)) return [];
    seen.add(key);
    return [{ run, finetune }];
  });
}

/** The random-init controls every summary counts, by the same rule: the finished ones of `task`, one per seed. */
export function countedControls(controls: readonly ControlResult[], task: ControlResult['task']): ControlResult[] {
  const seen = new Set<number>();
  return controls.filter((c) => c.task === task && c.result.status === 'done' && !seen.has(c.seed) && !!seen.add(c.seed));
}

/** Whether larger task scores are better (accuracy, exact match) or smaller (bits/char, answer NLL). */
export type ScoreDirection = 'higher' | 'lower';

export interface PlasticityRow {
  lambda: number;
  seeds: number[];
  fineTuned: Summary;
  /** Improvement from fine-tuning, positive = better: ft - base ('higher') or base - ft ('lower'). */
  gain: Summary;
  baseValLoss: Summary;
  /** fineTuned(lambda) - fineTuned(reference), paired by seed (raw difference, not direction-adjusted). */
  fineTunedVsReference: PairedSummary | null;
  /** baseValLoss(lambda) - baseValLoss(reference), paired by seed. */
  baseValLossVsReference: PairedSummary | null;
}

export interface PlasticityOptions {
  direction: ScoreDirection;
  /** The lambda paired comparisons are against (default 0.1, the usual default); null where it shares no seed. */
  reference?: number;
}

const seedValues = (runs: readonly RunRecord[], f: (r: RunRecord) => number): SeedValue[] =>
  runs.map((r) => ({ seed: r.seed, value: f(r) }));

/** The plasticity-curve table: one row per lambda, ascending, summarized across seeds. */
export function plasticityTable(runs: readonly RunRecord[], options: PlasticityOptions): PlasticityRow[] {
  const reference = options.reference ?? 0.1;
  const byLambda = new Map<number, RunRecord[]>();
  for (const r of runs) byLambda.set(r.lambda, [...(byLambda.get(r.lambda) ?? []), r]);
  const ref = byLambda.get(reference);
  const gainOf = (r: RunRecord) => (options.direction === 'higher' ? r.fineTunedScore - r.baseScore : r.baseScore - r.fineTunedScore);
  const sharesSeed = (group: RunRecord[]) => !!ref && group.some((r) => ref.some((q) => q.seed === r.seed));
  const versusReference = (group: RunRecord[], f: (r: RunRecord) => number): PairedSummary | null =>
    ref && sharesSeed(group) ? pairedDifferences(seedValues(group, f), seedValues(ref, f)) : null;
  return [...byLambda.keys()]
    .sort((a, b) => a - b)
    .map((lambda) => {
      const group = byLambda.get(lambda)!;
      bySeed(seedValues(group, () => 0), `plasticityTable (lambda ${lambda})`); // each seed once per lambda
      return {
        lambda,
        seeds: group.map((r) => r.seed).sort((a, b) => a - b),
        fineTuned: summarize(group.map((r) => r.fineTunedScore)),
        gain: summarize(group.map(gainOf)),
        baseValLoss: summarize(group.map((r) => r.baseValLoss)),
        fineTunedVsReference: versusReference(group, (r) => r.fineTunedScore),
        baseValLossVsReference: versusReference(group, (r) => r.baseValLoss),
      };
    });
}
