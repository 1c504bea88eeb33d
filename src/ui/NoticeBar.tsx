import { useEffect, useRef } from 'react';
import { useLab } from '../state/store';

/** The bar stays in view (sticky) over the page: the browser keeps focused elements out from under it through
 *  `scroll-padding-top` on the root (app.css), which follows the bar's height here. */
function useReservedSpace(bar: React.RefObject<HTMLDivElement | null>): void {
  useEffect(() => {
    const element = bar.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const root = document.documentElement;
    const update = () => {
      const height = element.getBoundingClientRect().height;
      root.style.setProperty('--notice-space', height > 0 ? `${Math.ceil(height) + 16}px` : '0px');
    };
    const observer = new ResizeObserver(update);
    observer.observe(element);
    update();
    return () => {
      observer.disconnect();
      root.style.removeProperty('--notice-space');
    };
  }, [bar]);
}

/**
 * The one place bad input, storage and runner errors are shown: what went wrong and what was kept. Both live
 * regions stay mounted and only their text changes (a region mounted with its text is often not announced):
 * errors go to the alert, info and warnings to the polite status. Dismissing with × moves focus to the bar
 * itself, not to <body>; Escape dismisses too.
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
  useReservedSpace(bar);
  // Escape dismisses a message from anywhere (focus stays where it is); a control that uses Escape itself
  // (an open select) has already taken it.
  useEffect(() => {
    if (!notice) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const inside = bar.current?.contains(document.activeElement) ?? false;
      clear();
      if (inside) bar.current?.focus(); // the × it was on goes away
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [notice, clear]);
  return (
    <div className="notice-bar" ref={bar} tabIndex={-1} role="region" aria-label="Messages">
      <div className={notice ? `notice ${notice.kind}` : 'notice-none'} data-testid={notice ? 'notice' : undefined} data-kind={notice?.kind}>
        <div className="notice-message">
          <p role="alert">{error ? notice.message : ''}</p>
          <p role="status">{notice && !error ? notice.message : ''}</p>
        </div>
        {notice ? (
          <button type="button" className="link" onClick={dismiss} aria-label="Dismiss message" aria-keyshortcuts="Escape">
            ×
          </button>
        ) : null}
      </div>
    </div>
  );
}
