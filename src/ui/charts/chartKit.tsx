// Recharts settings the charts share: axis styling, the ordinal lambda x axis, dots coloured by lambda
// (class chart-point: tests count them), tooltip styling. Props objects, not wrapper components, because
// recharts reads its axis props directly.
import type { CSSProperties, ReactNode } from 'react';
import type { TooltipContentProps, XAxisProps, YAxisProps } from 'recharts';
import { formatNumber } from '../controls/sweepEdit';
import { INK } from './colors';
import type { LambdaAxis } from './data';
import type { NiceScale } from './scale';

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const TICK = { fontSize: 11, fill: INK.axis, fontFamily: CHART_FONT };
export const MARGIN = { top: 12, right: 16, bottom: 28, left: 8 };
export const GRID = { stroke: INK.grid, strokeDasharray: '0' };

export function axisLabel(value: string, angle = 0, position: 'insideBottom' | 'insideLeft' | 'insideRight' = 'insideBottom') {
  return { value, angle, position, offset: position === 'insideBottom' ? -14 : 12, style: { fontSize: 11, fill: INK.axis, textAnchor: 'middle' as const, fontFamily: CHART_FONT } };
}

/** An x axis over lambda: evenly spaced (ordinal), one tick per lambda, labelled 0, 1e-4, 0.1, ... */
export function lambdaXAxis(axis: LambdaAxis): XAxisProps {
  // More than 7 lambdas (the paper's grid has 12): slanted labels so 1e-4, 1e-3, 0.01 do not collide.
  const dense = axis.lambdas.length > 7;
  return {
    dataKey: 'x',
    type: 'number',
    domain: [-0.4, Math.max(0, axis.lambdas.length - 1) + 0.4],
    ticks: axis.ticks,
    tickFormatter: (x: number) => axis.label(x),
    allowDecimals: false,
    interval: 0,
    tick: dense ? { ...TICK, angle: -40, textAnchor: 'end' } : TICK,
    height: dense ? 46 : 30,
    stroke: INK.axis,
    label: { ...axisLabel('weight decay λ'), offset: dense ? -6 : -14 },
  };
}

/** Tick labels for value axes; one function for every render, so recharts does not see new axis settings. */
export const formatTick = (value: number) => formatNumber(value);

/** Recharts stores axis props and recomputes every series when they change: charts that re-render often
 *  (live curves) keep this object in a useMemo. */
export function valueYAxis(label: string, extra: Partial<YAxisProps> = {}): YAxisProps {
  return { tick: TICK, stroke: INK.axis, width: 56, domain: AUTO_DOMAIN, tickFormatter: formatTick, label: axisLabel(label, -90, 'insideLeft'), ...extra };
}
const AUTO_DOMAIN: YAxisProps['domain'] = ['auto', 'auto'];

/** Axis props for a niceScale (scale.ts): its domain, exactly, and its round-number ticks; none without data. */
export function scaleAxis(scale: NiceScale | null): { domain?: [number, number]; ticks?: number[]; allowDataOverflow?: boolean } {
  return scale ? { domain: scale.domain, ticks: scale.ticks, allowDataOverflow: true } : {};
}

/**
 * How a chart's svg meets assistive technology. Recharts keeps it a keyboard stop (arrow keys walk the
 * tooltip along the data), so it gets a name, the frame's title and the view shown, and a description (an
 * svg <desc>). The name is aria-label, not recharts' `title` prop: an svg <title> also pops up as the
 * browser's own tooltip over the whole chart, on top of the chart's tooltip.
 */
export function chartA11y(title: string, view: string | undefined, desc: string | undefined): { 'aria-label': string; desc?: string } {
  return { 'aria-label': view ? `${title}: ${view}` : title, desc };
}

/**
 * Tooltip content as a polite live region. Recharts' default content is role=status aria-live=assertive, so
 * each arrow-key step and each mouse move over a chart interrupted the screen reader with the whole tooltip
 * (16 lines on a 15-run loss chart); recharts has no prop for politeness, but the content is ours to render.
 * No prop tells the mouse from the keyboard, so hover is announced too, politely. The region stays mounted
 * (empty while the tooltip is hidden) so that what appears in it is announced.
 */
export function PoliteTip({ children }: { children?: ReactNode }) {
  return (
    <div role="status" aria-live="polite" aria-atomic="true">
      {children}
    </div>
  );
}

const SWATCH: CSSProperties = { display: 'inline-block', width: 12, height: 3, marginRight: 6, verticalAlign: 'middle', borderRadius: 1 };

/**
 * A Tooltip `content` listing every series at the active point, in a polite live region: each row a swatch of
 * the series colour, then its name and value in the page's text colour (recharts' default writes the text in
 * the series colour, under 4.5:1 for the lighter lambdas). Make one per chart, not per render, so the live
 * region stays mounted.
 */
export function seriesTip(heading: (label: unknown) => string, value: (y: unknown) => string, byValue = false) {
  return function SeriesTip({ active, payload, label }: TooltipContentProps) {
    const items = active && payload ? (byValue ? [...payload].sort((a, b) => Number(b.value) - Number(a.value)) : payload) : [];
    return (
      <PoliteTip>
        {items.length ? (
          <div style={TOOLTIP_STYLE} className="chart-tip">
            <strong>{heading(label)}</strong>
            {items.map((item, i) => (
              <div key={`${String(item.name)}-${i}`}>
                <span style={{ ...SWATCH, background: item.color }} />
                {String(item.name)}: {value(item.value)}
              </div>
            ))}
          </div>
        ) : null}
      </PoliteTip>
    );
  };
}

export const TOOLTIP_STYLE: CSSProperties = { fontSize: 12, borderRadius: 6, border: `1px solid ${INK.grid}`, boxShadow: '0 2px 8px rgba(20,30,60,0.12)', padding: '6px 10px' };

interface DotProps {
  cx?: number;
  cy?: number;
  index?: number;
  payload?: { color?: string; lambda?: number };
}

/** A dot filled with its row's lambda colour; null values draw nothing. */
export function lambdaDot(r = 4.5, stroke = '#fff') {
  function LambdaDot({ cx, cy, index, payload }: DotProps) {
    if (typeof cx !== 'number' || typeof cy !== 'number' || !Number.isFinite(cy)) return <g key={`empty-${index}`} />;
    return <circle key={`dot-${index}`} className="chart-point" data-lambda={payload?.lambda} cx={cx} cy={cy} r={r} fill={payload?.color ?? INK.base} stroke={stroke} strokeWidth={1.5} />;
  }
  return LambdaDot;
}

/** A hollow circle per seed (behind the means). */
export function seedDot({ cx, cy, index }: DotProps) {
  if (typeof cx !== 'number' || typeof cy !== 'number') return <g key={`empty-${index}`} />;
  return <circle key={`seed-${index}`} className="seed-point" cx={cx} cy={cy} r={2.6} fill="none" stroke={INK.baseline} strokeWidth={1} />;
}

export function fmt(x: number | null | undefined, unit = ''): string {
  return x === null || x === undefined ? '—' : `${formatNumber(x)}${unit}`;
}

export function fmtBand(band: [number, number] | null | undefined): string {
  return band ? ` (95% CI ${formatNumber(band[0])} – ${formatNumber(band[1])})` : '';
}
