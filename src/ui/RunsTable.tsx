// The runs of the current sweep: status ("stopped" for an unfinished run a cancel or an error stopped),
// lambda, seed, exp(-lambda S) and tau/T, phase (with the reason a run diverged, failed or stopped), step,
// throughput, key metrics and device, with checkboxes that pick runs to compare (the curve charts show them).
import { REFERENCE_RESULTS } from '../lab/referenceResults';
import { memo, useCallback, useLayoutEffect, useRef } from 'react';
import type { TaskName } from '../lab/sweep';
import type { RunRow } from './charts/runRows';
import { formatLambda, formatNumber } from './controls/sweepEdit';

export interface RunsTableProps {
  /** runRows(results, live).rows */
  rows: readonly RunRow[];
  /** Task columns, in order (runRows(...).tasks). */
  tasks: readonly TaskName[];
  /** Ids of the runs picked for comparison. */
  selected: readonly string[];
  onSelectionChange: (ids: string[]) => void;
  /** With no runs: opens the H200 reference sweep (absent while a run is starting). */
  onOpenReference?: () => void;
}

const STATUS_CLASS: Record<RunRow['status'], string> = {
  pending: 'pending',
  pretraining: 'running',
  measuring: 'running',
  finetuning: 'running',
  done: 'done',
  diverged: 'bad',
  failed: 'bad',
};

const STOPPED_CLASS: Record<NonNullable<RunRow['stopped']>, string> = { cancelled: 'pending', error: 'bad' };

const INTEGER = new Intl.NumberFormat('en-US');

function stepText(r: RunRow): string {
  if (r.step === null) return '—';
  return r.totalSteps && r.step < r.totalSteps ? `${INTEGER.format(r.step)} / ${INTEGER.format(r.totalSteps)}` : INTEGER.format(r.step);
}

function scoreText(cell: RunRow['scores'][TaskName]): string {
  if (!cell) return '';
  if (cell.status !== 'done' || cell.value === null) return cell.status;
  return cell.unit === '%' ? `${cell.value.toFixed(1)}%` : cell.value.toFixed(3);
}

interface RunRowViewProps {
  row: RunRow;
  tasks: readonly TaskName[];
  picked: boolean;
  onToggle: (id: string, on: boolean) => void;
}

/** One run's row: memoized, so a metric batch re-renders the row of the run in flight, not the table. */
const RunRowView = memo(function RunRowView({ row: r, tasks, picked, onToggle }: RunRowViewProps) {
  return (
    <tr data-run-id={r.id} data-status={r.status} className={picked ? 'picked' : undefined}>
      <td>
        <input type="checkbox" aria-label={`Compare run λ ${formatLambda(r.lambda)} seed ${r.seed}`} checked={picked} onChange={(e) => onToggle(r.id, e.target.checked)} />
      </td>
      <td>
        <span className={`status ${r.stopped ? STOPPED_CLASS[r.stopped] : STATUS_CLASS[r.status]}`} title={r.error}>
          {r.stopped ? 'stopped' : r.status}
        </span>
      </td>
      <td className="num">
        <span className="swatch" style={{ background: r.color }} />
        {formatLambda(r.lambda)}
      </td>
      <td className="num">{r.seed}</td>
      <td className="num">{formatNumber(r.shrink, 3)}</td>
      <td className="num">{r.tauOverT === null ? '∞' : formatNumber(r.tauOverT, 3)}</td>
      <td className="phase">{r.phase}</td>
      <td className="num">{stepText(r)}</td>
      <td className="num">{r.tokensPerSecond === null ? '—' : INTEGER.format(Math.round(r.tokensPerSecond))}</td>
      <td className="num">{r.valBpc === null ? '—' : formatNumber(r.valBpc, 4)}</td>
      {tasks.map((t) => (
        <td key={t} className="num">
          {scoreText(r.scores[t])}
        </td>
      ))}
      <td className="device" title={r.device}>
        {r.device}
      </td>
    </tr>
  );
});

function RunsTableImpl({ rows, tasks, selected, onSelectionChange, onOpenReference }: RunsTableProps) {
  const picked = new Set(selected);
  // One toggle for every row, whatever the rows and selection: a row re-renders only when its own row changes.
  const latest = useRef({ rows, selected, onSelectionChange });
  useLayoutEffect(() => {
    latest.current = { rows, selected, onSelectionChange };
  });
  const toggle = useCallback((id: string, on: boolean) => {
    const now = latest.current;
    const was = new Set(now.selected);
    now.onSelectionChange(now.rows.map((r) => r.id).filter((x) => (x === id ? on : was.has(x))));
  }, []);
  const all = rows.length > 0 && rows.every((r) => picked.has(r.id));
  return (
    <section className="panel runs-panel" aria-labelledby="runs-title" data-testid="runs-table">
      <h2 id="runs-title">Runs</h2>
      {rows.length === 0 ? (
        <p className="chart-empty">
          No runs yet: press Train for one λ or Sweep for the grid. Each run pretrains, measures the base model, then fine-tunes on every task.
          {onOpenReference ? (
            <>
              {' '}
              Or see every chart first, without training:{' '}
              <button type="button" className="linklike" onClick={onOpenReference}>
                {REFERENCE_RESULTS.label}
              </button>
              .
            </>
          ) : null}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="runs" aria-label="Runs">
            <thead>
              <tr>
                <th>
                  <input type="checkbox" aria-label="Compare all runs" checked={all} onChange={(e) => onSelectionChange(e.target.checked ? rows.map((r) => r.id) : [])} />
                </th>
                <th>status</th>
                <th className="num">λ</th>
                <th className="num">seed</th>
                <th className="num" title="exp(−λS): the share of a weight's size that decay alone would leave after the run (S: the sum of the scheduled learning rates)">
                  e<sup>−λS</sup>
                </th>
                <th className="num" title="τ/T = 1 / (peak lr · λ · steps): the AdamW decay timescale as a fraction of the run (∞ at λ = 0)">
                  τ/T
                </th>
                <th>phase</th>
                <th className="num">step</th>
                <th className="num">tokens/s</th>
                <th className="num" title="Base model validation bits per character (lower is better)">val bpc</th>
                {tasks.map((t) => (
                  <th key={t} className="num" title={t === 'DOMAIN' ? 'bits/char after fine-tuning (lower is better)' : 'score after fine-tuning'}>
                    {t}
                  </th>
                ))}
                <th>device</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <RunRowView key={r.id} row={r} tasks={tasks} picked={picked.has(r.id)} onToggle={toggle} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected.length ? (
        <p className="runs-note">
          Comparing {selected.length} run{selected.length === 1 ? '' : 's'} in the curve charts.{' '}
          <button
            type="button"
            className="linklike"
            onClick={(e) => {
              // This note (and the button) goes away: keep the keyboard focus in the table, on its select-all box.
              const box = e.currentTarget.closest('section')?.querySelector<HTMLInputElement>('input[aria-label="Compare all runs"]');
              onSelectionChange([]);
              box?.focus();
            }}
          >
            Show all
          </button>
        </p>
      ) : null}
    </section>
  );
}

export const RunsTable = memo(RunsTableImpl);
