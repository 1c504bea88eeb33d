// Pure derivation of the runs table's rows from Results (and the runner's live progress, when it reports it).
import type { Results, RunResult } from '../../lab/results';
import type { TaskName } from '../../lab/sweep';
import { runStopped } from '../../state/labModel';
import { lambdaColor } from './colors';

/** What the runner reports about a run in flight (the lab slice's live[runId].progress); rows fall back to Results. */
export interface LiveProgress {
  /** 'pretrain', 'measure', 'finetune.ADD-R', ... */
  phase: string;
  step: number;
  steps?: number;
  tokensPerSecond?: number;
}

/** 'finetune.ADD-R' -> 'fine-tuning ADD-R'; 'pretrain' -> 'pretraining'; others as they are. */
export function phaseLabel(phase: string): string {
  if (phase === 'pretrain') return 'pretraining';
  if (phase === 'measure') return 'measuring';
  const ft = /^finetune\.(.+)$/.exec(phase);
  return ft ? `fine-tuning ${ft[1]}` : phase;
}

export interface TaskCell {
  /** Display value: percent for exact match and accuracy, bits/char for DOMAIN. */
  value: number | null;
  unit: '%' | 'bpc';
  status: 'done' | 'diverged' | 'failed';
}

export interface RunRow {
  id: string;
  lambda: number;
  seed: number;
  color: string;
  status: RunResult['status'];
  phase: string;
  step: number | null;
  totalSteps: number | null;
  tokensPerSecond: number | null;
  valBpc: number | null;
  scores: Partial<Record<TaskName, TaskCell>>;
  device: string;
  /** The run's decay timescale (science.md): exp(-lambda S) and tau/T (null: infinite, at lambda 0). */
  shrink: number;
  tauOverT: number | null;
  error?: string;
  /** An unfinished run that is not training: the user cancelled it, or an error stopped it (runStopped). */
  stopped?: 'cancelled' | 'error';
}

const PHASE: Record<RunResult['status'], string> = {
  pending: 'queued',
  pretraining: 'pretraining',
  measuring: 'measuring',
  finetuning: 'fine-tuning',
  done: 'done',
  diverged: 'diverged',
  failed: 'failed',
};

const lastOf = (xs: readonly number[] | undefined) => (xs && xs.length ? xs[xs.length - 1] : null);
const finiteOr = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Where an unfinished run stopped and why, for the phase column (the error in words, not only a tooltip). */
function stoppedPhase(run: RunResult, how: 'cancelled' | 'error'): string {
  const where = run.status === 'pending' ? 'before it started' : `while ${PHASE[run.status]}`;
  return how === 'cancelled' ? `cancelled ${where}` : `stopped ${where}: ${run.error ?? 'an error'}`;
}

/** A finished run's phase column: a divergence or a failure with its reason in words. */
function endedPhase(run: RunResult): string {
  return (run.status === 'diverged' || run.status === 'failed') && run.error ? `${PHASE[run.status]}: ${run.error}` : PHASE[run.status];
}

export function runRow(run: RunResult, live?: LiveProgress): RunRow {
  const p = run.pretrain;
  const scores: RunRow['scores'] = {};
  for (const f of run.finetunes) {
    const pct = f.score.metric !== 'bpc';
    scores[f.task] = { value: finiteOr(f.score.value) === null ? null : f.score.value! * (pct ? 100 : 1), unit: pct ? '%' : 'bpc', status: f.status };
  }
  const running = run.status === 'pretraining' || run.status === 'measuring' || run.status === 'finetuning';
  const stopped = live ? undefined : runStopped(run);
  return {
    id: run.id,
    lambda: run.lambda,
    seed: run.seed,
    color: lambdaColor(run.lambda),
    status: run.status,
    phase: running && live ? phaseLabel(live.phase) : stopped ? stoppedPhase(run, stopped) : endedPhase(run),
    step: running && live ? live.step : (p?.steps ?? lastOf(p?.loss.x)),
    totalSteps: running && live?.steps !== undefined ? live.steps : (p?.steps ?? null),
    tokensPerSecond: finiteOr(running && live?.tokensPerSecond !== undefined ? live.tokensPerSecond : p?.tokensPerSecond),
    valBpc: finiteOr(run.base?.valBitsPerChar ?? (p ? p.valBitsPerChar.y[p.valBitsPerChar.y.length - 1] : null)),
    scores,
    device: run.device,
    shrink: run.timescale.shrink,
    tauOverT: finiteOr(run.timescale.tauOverT),
    error: run.error,
    stopped,
  };
}

/** Each run's row with the live progress it was built from (weak: a replaced run's row goes with it). */
const ROWS = new WeakMap<RunResult, { progress: LiveProgress | undefined; row: RunRow }>();

/** runRow, reused while the run object and its live progress stay the same: a metric batch rebuilds the row of
 *  the run in flight only, and the table's memoized rows skip the rest. */
function reusedRow(run: RunResult, progress: LiveProgress | undefined): RunRow {
  const kept = ROWS.get(run);
  if (kept && kept.progress === progress) return kept.row;
  const row = runRow(run, progress);
  ROWS.set(run, { progress, row });
  return row;
}

/** One row per run in sweep order (seeds outer, lambdas inner); tasks are the sweep's. `live`: the lab slice's. */
export function runRows(results: Pick<Results, 'runs' | 'sweep'>, live: Readonly<Record<string, { progress?: LiveProgress }>> = {}): { rows: RunRow[]; tasks: TaskName[] } {
  const rows = [...results.runs].sort((a, b) => a.seed - b.seed || a.lambda - b.lambda).map((r) => reusedRow(r, live[r.id]?.progress));
  const tasks = results.sweep.tasks.map((t) => t.name);
  for (const r of results.runs) for (const f of r.finetunes) if (!tasks.includes(f.task)) tasks.push(f.task);
  return { rows, tasks };
}
