// The frame every chart shares: title, switches, export buttons, a lambda legend, an empty state that says
// what to do, and data attributes (data-testid, data-points) that tests read.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { ChartExport, type LegendItem } from '../ChartExport';
import { formatLambda } from '../controls/sweepEdit';
import { lambdaColor } from './colors';

export interface ChartFrameProps {
  testId: string;
  title: string;
  /** One line under the title: what is plotted and how to read it. */
  subtitle?: ReactNode;
  /** Plotted data points (data-points attribute). */
  points: number;
  /** When set, shown instead of the chart: what to do to get data. */
  empty?: ReactNode;
  toolbar?: ReactNode;
  /** Legend entries besides the lambda swatches (drawn in the page and in exports). */
  legend?: LegendItem[];
  lambdas?: readonly number[];
  footer?: ReactNode;
  className?: string;
  children?: ReactNode;
}

export function lambdaLegend(lambdas: readonly number[]): LegendItem[] {
  return lambdas.map((l) => ({ label: `λ ${formatLambda(l)}`, color: lambdaColor(l), shape: 'line' }));
}

export function ChartFrame({ testId, title, subtitle, points, empty, toolbar, legend = [], lambdas = [], footer, className, children }: ChartFrameProps) {
  const titleId = useId();
  const frame = useRef<HTMLElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const items = [...lambdaLegend(lambdas), ...legend];
  useUntabbableLayers(frame);
  return (
    <figure ref={frame} className={`chart ${className ?? ''}`} data-testid={testId} data-points={empty ? 0 : points} aria-labelledby={titleId}>
      <header className="chart-header">
        <div className="chart-titles">
          <h3 id={titleId}>{title}</h3>
          {subtitle ? <p className="chart-subtitle">{subtitle}</p> : null}
        </div>
        <div className="chart-tools">
          {empty ? null : toolbar}
          {empty ? null : <ChartExport target={body} title={title} legend={items} fileName={testId.replace(/^chart-/, '')} />}
        </div>
      </header>
      {empty ? (
        <div className="chart-empty" data-testid={`${testId}-empty`}>
          {empty}
        </div>
      ) : (
        <>
          <div className="chart-body" ref={body}>
            {children}
          </div>
          {items.length ? <Legend items={items} /> : null}
        </>
      )}
      {footer && !empty ? <figcaption className="chart-footer">{footer}</figcaption> : null}
    </figure>
  );
}

/** Recharts' z-index layers: each a bare <g> that React makes a portal container. */
const LAYERS = 'g[class*="recharts-zIndex-layer_"]:not([tabindex])';

/**
 * Takes recharts' z-index layers out of the tab order. React listens for focus events on every portal
 * container, and Chromium makes an svg element with focus listeners focusable, so each layer became an
 * unnamed tab stop with a focus ring, 6 to 8 per chart (recharts 3.11 dropped the tabIndex={-1} that kept
 * them out). Layers appear after mount and whenever a chart gains a z-index (a reference line, a
 * tooltip), so an observer keeps up. What stays is the chart's own surface: one named tab stop per plot,
 * where the arrow keys walk the tooltip along the data.
 */
export function useUntabbableLayers(root: RefObject<Element | null>): void {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const fix = () => {
      for (const layer of el.querySelectorAll(LAYERS)) layer.setAttribute('tabindex', '-1');
    };
    fix();
    const observer = new MutationObserver(fix);
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [root]);
}

function Legend({ items }: { items: LegendItem[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {items.map((item) => (
        <li key={item.label}>
          <span className={`legend-mark ${item.shape ?? 'line'}${item.dashed ? ' dashed' : ''}`} style={{ color: item.color }} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

export interface SegmentedProps<T extends string> {
  label: string;
  value: T;
  options: readonly { value: T; label: string; disabled?: boolean }[];
  onChange: (value: T) => void;
}

/** Where a key moves in a radio group, from the option `from`: arrows step over the enabled options (wrapping),
 *  Home and End go to the first and last; undefined for any other key. */
export function radioKeyTarget<T>(options: readonly { value: T; disabled?: boolean }[], from: T, key: string): T | undefined {
  const enabled = options.filter((o) => !o.disabled);
  if (key === 'Home') return enabled[0]?.value;
  if (key === 'End') return enabled.at(-1)?.value;
  const dir = key === 'ArrowRight' || key === 'ArrowDown' ? 1 : key === 'ArrowLeft' || key === 'ArrowUp' ? -1 : 0;
  if (!dir || !enabled.length) return undefined;
  const n = options.length;
  let k = options.findIndex((o) => o.value === from);
  if (k < 0) k = dir > 0 ? -1 : n;
  do k = (k + dir + n) % n;
  while (options[k].disabled);
  return options[k].value;
}

/**
 * A small radio group drawn as joined buttons (role radiogroup / radio for screen readers and for
 * tools/results/plots.ts). One tab stop, the checked option (the first enabled one if that is disabled);
 * the arrow keys, Home and End move to an option and select it, as in the WAI-ARIA radio group pattern.
 */
export function Segmented<T extends string>({ label, value, options, onChange }: SegmentedProps<T>) {
  const tabStop = (options.find((o) => o.value === value && !o.disabled) ?? options.find((o) => !o.disabled))?.value;
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, from: T) => {
    const to = radioKeyTarget(options, from, e.key);
    if (to === undefined) return;
    e.preventDefault();
    e.currentTarget.parentElement?.querySelectorAll('button')[options.findIndex((o) => o.value === to)]?.focus();
    if (to !== value) onChange(to);
  };
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={o.value === value}
          tabIndex={o.value === tabStop ? 0 : -1}
          disabled={o.disabled}
          className={o.value === value ? 'on' : ''}
          onClick={() => onChange(o.value)}
          onKeyDown={(e) => onKeyDown(e, o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export interface ViewSelectProps {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}

export function ViewSelect({ label, value, options, onChange }: ViewSelectProps) {
  return (
    <select className="view-select" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
