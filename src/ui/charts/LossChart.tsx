// Loss curves over steps, one line per run coloured by lambda: pretraining loss, validation bits/char and
// each task's fine-tuning loss (a view switch). Also used for weight norms over training.
import { memo, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, sortedUnique } from '../controls/sweepEdit';
import { ChartFrame, ViewSelect } from './ChartFrame';
import { axisLabel, chartA11y, formatTick, GRID, MARGIN, scaleAxis, seriesTip, TICK, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { CurveView } from './data';
import { NON_NEGATIVE, niceScale } from './scale';
import { curveSummary } from './summary';

export interface CurveChartProps {
  /** Views to switch between (lossCurves() or weightNormCurves()); the first is shown first. */
  views: readonly CurveView[];
  /** The view to show while the user has not picked one (when it exists); otherwise the first. */
  preferredView?: string;
  testId?: string;
  title?: string;
  subtitle?: string;
  xLabel?: string;
  /** Shown when there is nothing to plot. */
  emptyText?: string;
  height?: number;
}

const ACTIVE_DOT = { r: 3 };

/** Round-number axes over a view's points: steps from their first to last, values (losses, norms) from 0 up. */
function curveScales(view: CurveView | undefined) {
  const points = view?.lines.flatMap((l) => l.data) ?? [];
  return { x: niceScale(points.map((p) => p.x)), y: niceScale(points.map((p) => p.y), NON_NEGATIVE) };
}

/** Axis props kept by identity across renders (the live chart re-renders several times a second):
 *  they change only when the rounded axes do. */
function useAxes(xLabel: string, yLabel: string, height: number, view: CurveView | undefined) {
  const scalesKey = JSON.stringify(curveScales(view));
  return useMemo(() => {
    const scales = JSON.parse(scalesKey) as ReturnType<typeof curveScales>;
    return {
      style: { width: '100%', height },
      xLabel: axisLabel(xLabel),
      xAxis: scaleAxis(scales.x),
      yAxis: valueYAxis(yLabel, { width: 62, ...scaleAxis(scales.y) }),
    };
  }, [xLabel, yLabel, height, scalesKey]);
}

const DEFAULT_EMPTY = 'No curves yet: a run’s curves land here, beside earlier runs’, as its pretraining and each fine-tuning end (the run in flight streams in “Run in progress”). Press Train for one λ or Sweep for the grid.';

function CurveChartImpl({ views, preferredView, testId = 'chart-loss', title = 'Loss curves', subtitle, xLabel = 'step', emptyText = DEFAULT_EMPTY, height = 300 }: CurveChartProps) {
  const [key, setKey] = useState<string | null>(null);
  const view = views.find((v) => v.key === key) ?? views.find((v) => v.key === preferredView) ?? views[0];
  const axes = useAxes(xLabel, view?.yLabel ?? '', height, view);
  // Its own memo: the tooltip's live region stays mounted while the live chart's axes move.
  const tooltip = useMemo(() => seriesTip((x) => `${xLabel} ${formatNumber(Number(x))}`, (y) => formatNumber(Number(y))), [xLabel]);
  const lambdas = view ? sortedUnique(view.lines.map((l) => l.lambda)) : [];
  const description = subtitle ?? (view ? `${view.label}: one line per run, coloured by λ.` : undefined);
  // The svg's description adds the gist of the data to the line under the title.
  const summary = useMemo(() => (view ? curveSummary(view, xLabel) : ''), [view, xLabel]);
  const toolbar = views.length > 1 ? <ViewSelect label={`${title}: view`} value={view.key} options={views.map((v) => ({ value: v.key, label: v.label }))} onChange={setKey} /> : null;
  return (
    <ChartFrame
      testId={testId}
      title={title}
      subtitle={description}
      points={view?.points ?? 0}
      empty={view ? undefined : emptyText}
      toolbar={toolbar}
      lambdas={lambdas}
    >
      {view ? (
        <LineChart responsive style={axes.style} margin={MARGIN} data-view={view.key} {...chartA11y(title, view.label, `${description} ${summary}`)}>
          <CartesianGrid {...GRID} />
          <XAxis dataKey="x" type="number" {...axes.xAxis} allowDuplicatedCategory={false} tick={TICK} stroke={INK.axis} tickFormatter={formatTick} label={axes.xLabel} />
          <YAxis {...axes.yAxis} />
          <Tooltip content={tooltip} isAnimationActive={false} />
          {view.lines.map((line) => (
            <Line
              key={line.id}
              data={line.data}
              dataKey="y"
              name={line.name}
              stroke={line.color}
              strokeWidth={1.6}
              strokeOpacity={0.85}
              dot={false}
              activeDot={ACTIVE_DOT}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
        </LineChart>
      ) : null}
    </ChartFrame>
  );
}

/** Curves over steps with a view switch (loss curves; weight norms with another title). */
export const CurveChart = memo(CurveChartImpl);

export interface LossChartProps {
  views: readonly CurveView[];
}

export const LossChart = memo(function LossChart({ views }: LossChartProps) {
  return <CurveChart views={views} />;
});

export interface WeightNormChartProps {
  views: readonly CurveView[];
}

export const WeightNormChart = memo(function WeightNormChart({ views }: WeightNormChartProps) {
  return (
    <CurveChart
      views={views}
      testId="chart-weight-norms"
      title="Weight norms over training"
      subtitle="L2 norm of the embeddings, each layer's weights and the head during pretraining (all parameters: root sum of squares); larger λ holds them down."
      emptyText="No weight norms yet: they are recorded during pretraining (press Train or Sweep)."
      height={260}
    />
  );
});
