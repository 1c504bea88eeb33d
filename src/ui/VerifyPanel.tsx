import { useMemo } from 'react';
import type { Results, RunResult } from '../lab/results';
import { useLab } from '../state/store';

interface Row {
  id: string;
  metric: string;
  shared: number | null | undefined;
  here: number | null | undefined;
}

function metricsOf(run: RunResult): [string, number | null | undefined][] {
  return [
    ['base val bits/char', run.base?.valBitsPerChar],
    ...run.finetunes.map((f): [string, number | null | undefined] => [`${f.task} after fine-tuning`, f.score.value]),
  ];
}

export function verifyRows(shared: Results, here: Results): Row[] {
  const mine = new Map(here.runs.map((r) => [r.id, r]));
  return shared.runs.flatMap((run) => {
    const local = new Map(mine.get(run.id) ? metricsOf(mine.get(run.id)!) : []);
    return metricsOf(run).map(([metric, value]) => ({ id: run.id, metric, shared: value, here: local.get(metric) }));
  });
}

const fmt = (x: number | null | undefined) => (x === undefined ? '…' : x === null ? 'n/a' : x.toFixed(4));

/** "Re-run to verify": the shared numbers beside the ones this device produces, run by run. */
export function VerifyPanel() {
  const shared = useLab((s) => (s.verifyAgainst && s.verifyAgainst.sweepId === s.sweepId ? s.verifyAgainst.results : undefined));
  const here = useLab((s) => s.results);
  const rows = useMemo(() => (shared && here ? verifyRows(shared, here) : []), [shared, here]);
  if (!shared) return null;
  return (
    <section className="panel verify" aria-labelledby="verify-title" data-testid="verify-panel">
      <h2 id="verify-title">Verification: shared results against this device</h2>
      <p>
        Shared from <strong>{shared.device.adapter}</strong>; re-run here on the same sweep and seeds. Small differences are expected across
        devices (floating-point order); the same device and build give identical numbers.
      </p>
      <table className="runs" aria-label="Verification">
        <thead>
          <tr>
            <th>run</th>
            <th>metric</th>
            <th>shared</th>
            <th>here</th>
            <th>difference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.id}:${r.metric}`}>
              <td>{r.id}</td>
              <td>{r.metric}</td>
              <td>{fmt(r.shared)}</td>
              <td>{fmt(r.here)}</td>
              <td>{typeof r.shared === 'number' && typeof r.here === 'number' ? (r.here - r.shared).toExponential(2) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
