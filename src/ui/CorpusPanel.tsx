import { useLab } from '../state/store';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function CorpusPanel() {
  const status = useLab((s) => s.corpusStatus);
  const progress = useLab((s) => s.corpusProgress);
  const error = useLab((s) => s.corpusError);
  const files = useLab((s) => s.corpusFiles);
  const load = useLab((s) => s.loadCorpus);
  const fraction = progress.totalBytes ? progress.receivedBytes / progress.totalBytes : 0;

  return (
    <section className="panel" aria-labelledby="corpus-title" data-testid="corpus-panel" data-status={status}>
      <h2 id="corpus-title">Pretraining corpus</h2>
      <p>
        Public-domain English (Project Gutenberg books, State of the Union speeches, the Brown corpus), character level,
        served by this page and checked against its sha256 manifest. Train and Sweep fetch it themselves (once: the
        browser keeps it); loading it here is optional, to download and verify it ahead of time.
      </p>
      <button type="button" onClick={() => void load()} disabled={status === 'loading' || status === 'ready'}>
        {status === 'ready' ? 'Loaded' : status === 'loading' ? 'Loading…' : 'Load corpus now'}
      </button>
      {status === 'loading' || status === 'ready' ? (
        <div className="progress-row">
          <progress value={fraction} max={1} aria-label="corpus download progress" />
          <span data-testid="corpus-progress">
            {mb(progress.receivedBytes)} of {mb(progress.totalBytes)}
            {progress.fromCache ? ' (from this browser’s cache)' : ''}
          </span>
        </div>
      ) : null}
      {status === 'ready' && files ? (
        <p className="verdict passed" data-testid="corpus-ready" data-from-cache={String(progress.fromCache)}>
          Verified: {files.map(({ name, bytes }) => `${name} ${(bytes / 1e6).toFixed(2)}M chars`).join(', ')}.
        </p>
      ) : null}
      {status === 'error' ? (
        <p className="verdict error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
