// One base measurement against lambda (mean across seeds, 95% band, each seed): the train-validation gap
// by default, and the other scalar measurements (zero-shot domain loss, perturbation sensitivity,
// forgetting) behind a switch.
import { memo, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, Scatter, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { ChartFrame, ViewSelect } from './ChartFrame';
import { chartA11y, fmt, fmtBand, GRID, lambdaDot, lambdaXAxis, MARGIN, PoliteTip, scaleAxis, seedDot, TOOLTIP_STYLE, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { LambdaAxis, ScalarRow } from './data';
import type { ScalarView } from './mechanismData';
import { niceScale } from './scale';

export interface ScalarChartProps {
  views: readonly ScalarView[];
  axis: LambdaAxis;
}

const LINE = INK.score;
const DOT = lambdaDot();

function ScalarChartImpl({ views, axis }: ScalarChartProps) {
  const [key, setKey] = useState<string | null>(null);
  const view = views.find((v) => v.key === key) ?? views[0];
  const yScale = view ? niceScale([...view.rows.flatMap((r) => [r.mean, ...(r.band ?? [])]), ...view.seeds.map((s) => s.y)]) : null;
  const toolbar = views.length > 1 ? <ViewSelect label="Measurement" value={view.key} options={views.map((v) => ({ value: v.key, label: v.label }))} onChange={setKey} /> : null;
  return (
    <ChartFrame
      testId="chart-gap"
      title={view ? `${view.label} by λ` : 'Val − train gap by λ'}
      subtitle={view?.note}
      points={view?.points ?? 0}
      empty={view ? undefined : 'No base measurements yet: the train-val gap is measured on each pretrained model (press Train or Sweep).'}
      toolbar={toolbar}
      lambdas={view?.rows.map((r) => r.lambda)}
      legend={[
        { label: 'mean, 95% CI', color: LINE, shape: 'line' },
        { label: 'seeds', color: INK.baseline, shape: 'hollow' },
      ]}
    >
      {view ? (
        <ComposedChart responsive data={view.rows} style={{ width: '100%', height: 260 }} margin={MARGIN} data-view={view.key} {...chartA11y(`${view.label} by λ`, undefined, view.note)}>
          <CartesianGrid {...GRID} />
          <XAxis {...lambdaXAxis(axis)} />
          <YAxis {...valueYAxis(view.yLabel, { width: 62, ...scaleAxis(yScale) })} />
          <Area dataKey="band" stroke="none" fill={LINE} fillOpacity={0.13} isAnimationActive={false} activeDot={false} connectNulls />
          <Scatter data={view.seeds} dataKey="y" shape={seedDot} isAnimationActive={false} legendType="none" />
          <Line dataKey="mean" stroke={LINE} strokeWidth={2} dot={DOT} isAnimationActive={false} connectNulls />
          <Tooltip content={scalarTip} isAnimationActive={false} />
        </ComposedChart>
      ) : null}
    </ChartFrame>
  );
}

/** The tooltip's content: one component for every render, so its live region stays mounted. */
function scalarTip({ active, payload }: TooltipContentProps) {
  return (
    <PoliteTip>
      <ScalarTip active={active} row={payload?.find((p) => (p.payload as ScalarRow).label !== undefined)?.payload as ScalarRow | undefined} />
    </PoliteTip>
  );
}

function ScalarTip({ active, row }: { active?: boolean; row?: ScalarRow }) {
  if (!active || !row) return null;
  return (
    <div style={TOOLTIP_STYLE} className="chart-tip">
      <strong>λ = {row.label}</strong>
      <div>
        {fmt(row.mean)}
        {fmtBand(row.band)}
      </div>
      <div className="tip-muted">
        {row.n} seed{row.n === 1 ? '' : 's'}
      </div>
    </div>
  );
}

export const ScalarChart = memo(ScalarChartImpl);
