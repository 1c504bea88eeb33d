// The sweeps kept in this browser (IndexedDB), newest first: open one on the charts or delete it with its
// checkpoints; records that could not be read are listed with their own Delete.
import type { StoredSweep } from '../lab/persist';
import { useLab } from '../state/store';
import { isFinishedRun } from '../lab/results';

const MIB = 1024 * 1024;

const updated = (s: StoredSweep) => new Date(s.results.updatedAt).toLocaleString();

function summary(s: StoredSweep): string {
  const { results, checkpointBytes } = s;
  const done = results.runs.filter(isFinishedRun).length;
  const saved = checkpointBytes ? ` · checkpoints ${(checkpointBytes / MIB).toFixed(1)} MiB` : '';
  return `${results.sweep.preset} · ${done} of ${results.runs.length} runs finished · ${updated(s)}${saved}`;
}

/** What a button's accessible name says after its visible verb: which sweep (names repeat, so when too). */
const which = (s: StoredSweep) => `${s.results.sweep.name}, saved ${updated(s)}`;

export function SavedSweepsPanel() {
  const stored = useLab((s) => s.storedSweeps);
  const problems = useLab((s) => s.storageProblems);
  const openId = useLab((s) => (s.shared ? undefined : s.sweepId));
  const running = useLab((s) => s.runState !== 'idle');
  const openSaved = useLab((s) => s.openSaved);
  const deleteSaved = useLab((s) => s.deleteSaved);
  if (!stored.length && !problems.length) return null;
  const busy = running ? 'Finish, or cancel, the run in progress first' : undefined;

  const remove = (sweepId: string, name: string) => {
    if (window.confirm(`Delete "${name}" and its checkpoints from this browser? Export its results first to keep them.`)) void deleteSaved(sweepId);
  };

  return (
    <section className="panel saved-sweeps" aria-labelledby="saved-sweeps-title">
      <h2 id="saved-sweeps-title">Saved in this browser</h2>
      <ul className="saved-list">
        {stored.map((s) => (
          <li key={s.sweepId} data-testid="saved-sweep">
            <div>
              <strong>{s.results.sweep.name}</strong>
              {s.sweepId === openId ? <span className="muted"> (open)</span> : null}
              <div className="muted">{summary(s)}</div>
            </div>
            <button type="button" className="secondary" onClick={() => openSaved(s.sweepId)} disabled={running || s.sweepId === openId} title={busy} aria-label={`Open ${which(s)}`}>
              Open
            </button>
            <button type="button" className="secondary" onClick={() => remove(s.sweepId, s.results.sweep.name)} disabled={running} title={busy} aria-label={`Delete ${which(s)}`}>
              Delete
            </button>
          </li>
        ))}
        {problems.map((p) => (
          <li key={`problem:${p.sweepId}:${p.message}`} className="problem">
            <div>
              <strong>Unreadable record</strong>
              <div className="muted">{p.message}</div>
            </div>
            <button type="button" className="secondary" onClick={() => remove(p.sweepId, p.sweepId)} disabled={running || p.sweepId === '?'} title={busy} aria-label={`Delete unreadable record ${p.sweepId}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
