// Pure helpers behind the experiment controls: the weight-decay slider's notches, number formatting and
// parsing, the schedule a sweep implies (parameters, tokens, steps) and immutable sweep edits. No React here.
import { paramCount, PRESETS, timescale, TRAIN_SPLIT_TOKENS, type PresetName, type Timescale } from '../../model/config';
import { defaultSweep, MAX_LAMBDA, TASKS, type SweepDefinition, type TaskName, type TaskSpec } from '../../lab/sweep';

/** Per-decade mantissas of the slider: every value of the paper's grid is a notch. */
const MANTISSAS = [1, 1.5, 2, 3, 4, 5, 6, 8];
export const LAMBDA_MIN = 1e-4;
export const LAMBDA_MAX = 10;

/** The slider's values: a first notch at 0, then 1e-4 .. 10 log-spaced (1, 1.5, 2, 3, 4, 5, 6, 8 per decade). */
export const LAMBDA_NOTCHES: readonly number[] = (() => {
  const notches = [0];
  for (let e = -4; e < 1; e++) for (const m of MANTISSAS) notches.push(+(m * 10 ** e).toPrecision(3));
  notches.push(LAMBDA_MAX);
  return notches;
})();

/** The paper's lambda grid (science.md) and the lab's default one. */
export const PAPER_GRID: readonly number[] = [0, 1e-4, 1e-3, 1e-2, 0.1, 0.3, 0.5, 0.6, 1, 1.5, 3, 10];
export const DEFAULT_GRID: readonly number[] = defaultSweep().lambdas;

/** The notch nearest to lambda in log space (0 maps to the first notch, values below 1e-4 to the nearer end). */
export function notchIndex(lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < LAMBDA_MIN / 2) return 0;
  let best = 1;
  for (let i = 1; i < LAMBDA_NOTCHES.length; i++) {
    if (Math.abs(Math.log(LAMBDA_NOTCHES[i] / lambda)) < Math.abs(Math.log(LAMBDA_NOTCHES[best] / lambda))) best = i;
  }
  return best;
}

/** Lambda as people write it: 0, 1e-4, 3e-3, 0.01, 0.3, 1.5, 10. */
export function formatLambda(lambda: number): string {
  if (lambda === 0) return '0';
  if (!Number.isFinite(lambda)) return String(lambda);
  if (lambda < 0.01) {
    const [m, e] = lambda.toExponential().split('e');
    return `${+(+m).toPrecision(3)}e${+e}`;
  }
  return String(+lambda.toPrecision(3));
}

/** A compact number: 115K, 16.2M, 3,948. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toPrecision(3)}K`;
  return Math.round(n).toLocaleString('en-US');
}

/** Three significant figures, or an explicit infinity sign (tau/T at lambda 0). */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) {
    const [m, e] = x.toExponential(digits - 1).split('e');
    return `${+m}e${+e}`;
  }
  return String(+x.toPrecision(digits));
}

/** Parses "0, 0.1 0.3;1e-3" into numbers; null when any entry is not a number. */
export function parseNumberList(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const values = parts.map(Number);
  return parts.length && values.every(Number.isFinite) ? values : null;
}

/** Sorted, distinct values (a lambda grid, a seed list). */
export function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

export interface Schedule {
  params: number;
  tokens: number;
  steps: number;
  tokensPerParam: number;
  peakLr: number;
  warmupFrac: number;
  minLrFrac: number;
  /** Passes over the training split (TRAIN_SPLIT_TOKENS) the budget makes: the paper's protocol is at most 1. */
  epochs: number;
}

/** Parameters, tokens and steps the sweep's pretraining budget means for its preset. */
export function sweepSchedule(sweep: SweepDefinition): Schedule {
  const { model } = PRESETS[sweep.preset];
  const params = paramCount(model);
  const { budget, batch, peakLr, warmupFrac, minLrFrac } = sweep.pretrain;
  const perStep = batch * model.T;
  const steps = budget.kind === 'steps' ? budget.value : Math.max(1, Math.round((budget.value * params) / perStep));
  const tokens = steps * perStep;
  return { params, tokens, steps, tokensPerParam: tokens / params, peakLr, warmupFrac, minLrFrac, epochs: tokens / TRAIN_SPLIT_TOKENS };
}

/** S, exp(-lambda S) and tau/T for a lambda under the sweep's schedule (model/config.ts timescale()). */
export function sweepTimescale(sweep: SweepDefinition, lambda: number): Timescale {
  return timescale(sweepSchedule(sweep), lambda);
}

/** A new preset keeps lambdas, seeds, tasks and decay group; pretraining and fine-tuning lr take its defaults. */
export function withPreset(sweep: SweepDefinition, preset: PresetName): SweepDefinition {
  const base = defaultSweep(preset);
  return { ...sweep, preset, name: base.name, pretrain: { ...base.pretrain, evalEvery: sweep.pretrain.evalEvery }, finetune: { ...sweep.finetune, lr: base.finetune.lr } };
}

/** Sizes for a task newly switched on (PIGLATIN is not in the default sweep). */
export function defaultTaskSpec(name: TaskName): TaskSpec {
  return defaultSweep().tasks.find((t) => t.name === name) ?? { name, trainSize: 40_000, testSize: 500 };
}

/** Switches a task on or off, keeping the sweep's task order the same as TASKS. */
export function withTask(sweep: SweepDefinition, name: TaskName, enabled: boolean): SweepDefinition {
  const others = sweep.tasks.filter((t) => t.name !== name);
  const existing = sweep.tasks.find((t) => t.name === name);
  const tasks = enabled ? [...others, existing ?? defaultTaskSpec(name)] : others;
  tasks.sort((a, b) => TASKS.indexOf(a.name) - TASKS.indexOf(b.name));
  return { ...sweep, tasks };
}

export function withTaskSize(sweep: SweepDefinition, name: TaskName, trainSize: number): SweepDefinition {
  return { ...sweep, tasks: sweep.tasks.map((t) => (t.name === name ? { ...t, trainSize } : t)) };
}

export function withLambdas(sweep: SweepDefinition, lambdas: readonly number[]): SweepDefinition {
  return { ...sweep, lambdas: sortedUnique(lambdas.filter((l) => l >= 0 && l <= MAX_LAMBDA)) };
}
