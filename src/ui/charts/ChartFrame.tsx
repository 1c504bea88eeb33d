// The frame every chart shares: title, switches, export buttons, a lambda legend, an empty state that says
// what to do, and data attributes (data-testid, data-points) that tests read.
import { useId, useRef, type ReactNode } from 'react';
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
  const body = useRef<HTMLDivElement>(null);
  const items = [...lambdaLegend(lambdas), ...legend];
  return (
    <figure className={`chart ${className ?? ''}`} data-testid={testId} data-points={empty ? 0 : points} aria-labelledby={titleId}>
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

/** A small radio group drawn as joined buttons (role radiogroup / radio for tests and screen readers). */
export function Segmented<T extends string>({ label, value, options, onChange }: SegmentedProps<T>) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" role="radio" aria-checked={o.value === value} disabled={o.disabled} className={o.value === value ? 'on' : ''} onClick={() => onChange(o.value)}>
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
