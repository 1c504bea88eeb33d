// Loss curves over steps, one line per run coloured by lambda: pretraining loss, validation bits/char and
// each task's fine-tuning loss (a view switch). Also used for weight norms over training.
import { memo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, sortedUnique } from '../controls/sweepEdit';
import { ChartFrame, ViewSelect } from './ChartFrame';
import { axisLabel, GRID, MARGIN, TICK, TOOLTIP_STYLE, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { CurveView } from './data';

export interface CurveChartProps {
  /** Views to switch between (lossCurves() or weightNormCurves()); the first is shown first. */
  views: readonly CurveView[];
  testId?: string;
  title?: string;
  subtitle?: string;
  xLabel?: string;
  /** Shown when there is nothing to plot. */
  emptyText?: string;
  height?: number;
}

const DEFAULT_EMPTY = 'No runs yet: press Train to pretrain one model at the chosen λ, or Sweep for the whole grid. Curves appear as training reports them.';

function CurveChartImpl({ views, testId = 'chart-loss', title = 'Loss curves', subtitle, xLabel = 'step', emptyText = DEFAULT_EMPTY, height = 300 }: CurveChartProps) {
  const [key, setKey] = useState<string | null>(null);
  const view = views.find((v) => v.key === key) ?? views[0];
  const lambdas = view ? sortedUnique(view.lines.map((l) => l.lambda)) : [];
  const toolbar = views.length > 1 ? <ViewSelect label={`${title}: view`} value={view.key} options={views.map((v) => ({ value: v.key, label: v.label }))} onChange={setKey} /> : null;
  return (
    <ChartFrame
      testId={testId}
      title={title}
      subtitle={subtitle ?? (view ? `${view.label}: one line per run, coloured by λ.` : undefined)}
      points={view?.points ?? 0}
      empty={view ? undefined : emptyText}
      toolbar={toolbar}
      lambdas={lambdas}
    >
      {view ? (
        <LineChart responsive style={{ width: '100%', height }} margin={MARGIN} data-view={view.key}>
          <CartesianGrid {...GRID} />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} tick={TICK} stroke={INK.axis} tickFormatter={(x: number) => formatNumber(x)} label={axisLabel(xLabel)} />
          <YAxis {...valueYAxis(view.yLabel, { width: 62 })} />
          <Tooltip contentStyle={TOOLTIP_STYLE} labelFormatter={(x) => `${xLabel} ${formatNumber(Number(x))}`} formatter={(y) => formatNumber(Number(y))} isAnimationActive={false} />
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
              activeDot={{ r: 3 }}
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
      subtitle="L2 norm of each layer's weights during pretraining (all layers: root sum of squares); larger λ holds them down."
      emptyText="No weight norms yet: they are recorded during pretraining (press Train or Sweep)."
      height={260}
    />
  );
});
