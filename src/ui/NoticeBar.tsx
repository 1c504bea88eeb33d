import { useLab } from '../state/store';

/** The one place bad input, storage and runner errors are shown: what went wrong and what was kept. */
export function NoticeBar() {
  const notice = useLab((s) => s.notice);
  const clear = useLab((s) => s.clearNotice);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice" data-kind={notice.kind}>
      <span>{notice.message}</span>
      <button type="button" className="link" onClick={clear} aria-label="Dismiss message">
        ×
      </button>
    </div>
  );
}
