// Linear-probe accuracy per layer, one line per lambda (mean across seeds), with the same probe on an
// untrained model drawn as the baseline to beat, and chance.
import { memo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../controls/sweepEdit';
import { ChartFrame, ViewSelect } from './ChartFrame';
import { axisLabel, chartA11y, GRID, lambdaDot, MARGIN, scaleAxis, seriesTip, TICK, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { ProbeView } from './mechanismData';
import { niceScale, PERCENT } from './scale';

export interface ProbeChartProps {
  views: readonly ProbeView[];
}

const DOT = lambdaDot(3.5);
const TIP = seriesTip((x) => `layer ${String(x)}`, (y) => `${formatNumber(Number(y))}%`, true);

function ProbeChartImpl({ views }: ProbeChartProps) {
  const [key, setKey] = useState<string | null>(null);
  const view = views.find((v) => v.key === key) ?? views[0];
  const toolbar = views.length > 1 ? <ViewSelect label="Probe" value={view.key} options={views.map((v) => ({ value: v.key, label: v.label }))} onChange={setKey} /> : null;
  const layers = view?.layers ?? [];
  const yScale = view ? niceScale([view.chance, ...view.baseline.map((p) => p.y), ...view.lines.flatMap((l) => l.data.map((p) => p.y))], PERCENT) : null;
  const title = 'Linear probes per layer';
  const subtitle = view ? `${view.label}: held-out accuracy of a logistic-regression probe on each layer's hidden states (layer 0 = embeddings).` : undefined;
  return (
    <ChartFrame
      testId="chart-probes"
      title={title}
      subtitle={subtitle}
      points={view?.points ?? 0}
      empty={view ? undefined : 'No probe results yet: probes run on each pretrained model after pretraining (press Train or Sweep).'}
      toolbar={toolbar}
      lambdas={view?.lines.map((l) => l.lambda)}
      legend={[
        { label: 'untrained model', color: INK.baseline, shape: 'line', dashed: true },
        { label: 'chance', color: INK.chance, shape: 'line' },
      ]}
      footer="At ~100K parameters probes barely beat an untrained model: read this panel against the dashed baseline."
    >
      {view ? (
        <LineChart responsive style={{ width: '100%', height: 260 }} margin={MARGIN} {...chartA11y(title, view.label, `${subtitle} Dashed: the same probe on an untrained model.`)}>
          <CartesianGrid {...GRID} />
          <XAxis dataKey="x" type="number" domain={[Math.min(...layers) - 0.2, Math.max(...layers) + 0.2]} ticks={layers} allowDecimals={false} tick={TICK} stroke={INK.axis} label={axisLabel('layer')} />
          <YAxis {...valueYAxis('probe accuracy (%)', scaleAxis(yScale))} />
          <ReferenceLine y={view.chance} stroke={INK.chance} strokeWidth={1.2} label={{ value: 'chance', position: 'insideBottomRight', fontSize: 10, fill: INK.baselineText }} />
          <Line data={view.baseline} dataKey="y" name="untrained" stroke={INK.baseline} strokeDasharray="5 4" strokeWidth={1.6} dot={{ r: 2.5, fill: INK.baseline, stroke: 'none' }} isAnimationActive={false} />
          {view.lines.map((line) => (
            <Line key={line.lambda} data={line.data} dataKey="y" name={line.name} stroke={line.color} strokeWidth={1.8} dot={DOT} isAnimationActive={false} />
          ))}
          <Tooltip content={TIP} isAnimationActive={false} />
        </LineChart>
      ) : null}
    </ChartFrame>
  );
}

export const ProbeChart = memo(ProbeChartImpl);
