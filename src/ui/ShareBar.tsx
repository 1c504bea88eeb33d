import { useRef, useState } from 'react';
import { downloadText, exportFileName, exportResultsJson } from '../lab/exportImport';
import { fetchReferenceResults, REFERENCE_RESULTS } from '../lab/referenceResults';
import { selectViewedResults } from '../state/labSlice';
import { useLab } from '../state/store';

/** Share link, results JSON export/import and CSV tables for the results in view. */
export function ShareBar() {
  const results = useLab(selectViewedResults);
  const shareUrl = useLab((s) => s.shareUrl);
  const importText = useLab((s) => s.importResultsText);
  const csvTables = useLab((s) => s.csvTables);
  const setNotice = useLab((s) => s.setNotice);
  // Runner events go to the open results: another document opened mid-run would take the run's results.
  const running = useLab((s) => s.runState !== 'idle');
  const busy = running ? 'Finish, or cancel, the run in progress first' : undefined;
  const fileInput = useRef<HTMLInputElement>(null);
  const [link, setLink] = useState<string>();

  const share = async () => {
    const url = shareUrl(location.href);
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setNotice('info', `Share link copied (${(url.length / 1024).toFixed(1)} KB).`);
    } catch {
      setNotice('info', 'Copy the share link from the box below.');
    }
  };
  const exportCsv = () => {
    if (!results) return;
    for (const [name, text] of Object.entries(csvTables())) downloadText(exportFileName(results, `${name}.csv`), text!);
  };
  const openReference = async () => {
    try {
      importText(await fetchReferenceResults(), REFERENCE_RESULTS.fileName);
    } catch (error) {
      setNotice('error', error instanceof Error ? error.message : String(error));
    }
  };
  const onFile = async (file: File | undefined) => {
    if (file) importText(await file.text(), file.name);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <section className="panel share-bar" aria-label="Share and export">
      <button type="button" onClick={() => void share()} disabled={!results}>
        Copy share link
      </button>
      <button type="button" className="secondary" onClick={() => results && downloadText(exportFileName(results, 'results.json'), exportResultsJson(results))} disabled={!results}>
        Export results JSON
      </button>
      <button type="button" className="secondary" onClick={exportCsv} disabled={!results}>
        Export CSV tables
      </button>
      <button type="button" className="secondary" onClick={() => fileInput.current?.click()} disabled={running} title={busy}>
        Import results JSON
      </button>
      <input ref={fileInput} type="file" hidden accept="application/json,.json" aria-label="Import results JSON" onChange={(e) => void onFile(e.target.files?.[0])} />
      <button
        type="button"
        className="secondary"
        onClick={() => void openReference()}
        disabled={running}
        title={busy ?? 'The default sweep, 15 runs, run to the end on an NVIDIA H200: see the curves without training'}
      >
        {REFERENCE_RESULTS.label}
      </button>
      {link ? <input className="share-link" readOnly value={link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} /> : null}
    </section>
  );
}
