import { useRef } from 'react';
import { useLab } from '../state/store';

/**
 * The one place bad input, storage and runner errors are shown: what went wrong and what was kept. Both live
 * regions stay mounted and only their text changes (a region mounted with its text is often not announced):
 * errors go to the alert, info and warnings to the polite status. Dismissing moves focus to the bar itself,
 * not to <body>.
 */
export function NoticeBar() {
  const notice = useLab((s) => s.notice);
  const clear = useLab((s) => s.clearNotice);
  const bar = useRef<HTMLDivElement>(null);
  const error = notice?.kind === 'error';
  const dismiss = () => {
    clear();
    bar.current?.focus();
  };
  return (
    <div className="notice-bar" ref={bar} tabIndex={-1} role="region" aria-label="Messages">
      <div className={notice ? `notice ${notice.kind}` : 'notice-none'} data-testid={notice ? 'notice' : undefined} data-kind={notice?.kind}>
        <div className="notice-message">
          <p role="alert">{error ? notice.message : ''}</p>
          <p role="status">{notice && !error ? notice.message : ''}</p>
        </div>
        {notice ? (
          <button type="button" className="link" onClick={dismiss} aria-label="Dismiss message">
            ×
          </button>
        ) : null}
      </div>
    </div>
  );
}
