import { useEffect, useRef, useState } from 'react';
import { csvTablesZip, downloadBlob, downloadText, exportFileName, exportResultsJson } from '../lab/exportImport';
import { REFERENCE_RESULTS } from '../lab/referenceResults';
import type { Results } from '../lab/results';
import { selectViewedResults } from '../state/labSlice';
import { useLab } from '../state/store';

/** Share link, results JSON export/import and CSV tables for the results in view. */
export function ShareBar() {
  const results = useLab(selectViewedResults);
  const shareUrl = useLab((s) => s.shareUrl);
  const importText = useLab((s) => s.importResultsText);
  const openReference = useLab((s) => s.openReference);
  const setNotice = useLab((s) => s.setNotice);
  // Runner events go to the open results: another document opened mid-run would take the run's results.
  const running = useLab((s) => s.runState !== 'idle');
  const busy = running ? 'Finish, or cancel, the run in progress first' : undefined;
  const fileInput = useRef<HTMLInputElement>(null);
  const linkInput = useRef<HTMLInputElement>(null);
  // The link of the results it was made for: other results in view (opened, imported, a run's new result)
  // hide it, so the box never offers a link to results no longer shown.
  const [made, setMade] = useState<{ url: string; of: Results; select: boolean }>();
  const link = made && made.of === results ? made.url : undefined;
  useEffect(() => {
    if (!made?.select) return;
    linkInput.current?.focus(); // the copy failed: the link is ready to copy by hand
    linkInput.current?.select();
  }, [made]);

  const share = async () => {
    if (!results) return;
    const url = shareUrl(location.href);
    setMade({ url, of: results, select: false });
    try {
      await navigator.clipboard.writeText(url);
      setNotice('info', `Share link copied (${(url.length / 1024).toFixed(1)} KB).`);
    } catch {
      setMade({ url, of: results, select: true });
      setNotice('info', 'The browser did not let the page copy: the share link is selected in the box below, copy it from there.');
    }
  };
  const exportCsv = () => {
    if (results) downloadBlob(exportFileName(results, '-tables.zip'), new Blob([csvTablesZip(results)], { type: 'application/zip' }));
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
      <button type="button" className="secondary" onClick={() => results && downloadText(exportFileName(results, '.json'), exportResultsJson(results), 'application/json')} disabled={!results}>
        Export results JSON
      </button>
      <button type="button" className="secondary" onClick={exportCsv} disabled={!results}>
        Export CSV tables (zip)
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
      {link ? <input ref={linkInput} className="share-link" readOnly value={link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} /> : null}
    </section>
  );
}
