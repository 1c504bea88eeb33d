// Per-head pseudo-rank of W_Q W_K^T and W_V W_O against lambda (mean over layers and heads, then across
// seeds with a 95% band), with an epsilon switch (1e-2, 1e-3) and the entropy effective rank.
import { memo, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { ChartFrame, Segmented } from './ChartFrame';
import { chartA11y, fmt, fmtBand, GRID, lambdaDot, lambdaXAxis, MARGIN, PoliteTip, scaleAxis, TOOLTIP_STYLE, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { LambdaAxis } from './data';
import { RANK_MEASURES, type RankMeasure, type RankRow, type RankView } from './mechanismData';
import { niceScale } from './scale';

export interface RankChartProps {
  views: readonly RankView[];
  axis: LambdaAxis;
}

const QK_DOT = lambdaDot(4, INK.qk);
const VO_DOT = lambdaDot(4, INK.vo);

function RankChartImpl({ views, axis }: RankChartProps) {
  const [measure, setMeasure] = useState<RankMeasure>('pseudoRank2');
  const view = views.find((v) => v.measure === measure) ?? views[0];
  const full = view?.fullRank ?? null;
  const title = 'Attention rank: W_QK and W_VO';
  const subtitle = "Mean over layers and heads of each head's W_Q W_Kᵀ and W_V W_O spectrum; the paper sees QK rank fall with λ while VO stays near full rank.";
  // From 0 to the full rank (a rank cannot pass it; mechanismData cuts the bands there), in round-number ticks.
  const values = view ? [0, full, ...view.rows.flatMap((r) => [r.mean, r.vo, ...(r.band ?? []), ...(r.voBand ?? [])])] : [];
  const yScale = niceScale(values, [0, full ?? Infinity]);
  const yLabel = measure === 'effectiveRank' ? 'entropy effective rank' : `pseudo-rank (σ > ${measure === 'pseudoRank2' ? '1e-2' : '1e-3'}·σmax)`;
  return (
    <ChartFrame
      testId="chart-rank"
      title={title}
      subtitle={subtitle}
      points={view?.points ?? 0}
      empty={view ? undefined : 'No spectra yet: they are measured on each pretrained model (press Train or Sweep).'}
      toolbar={<Segmented label="Rank measure" value={measure} onChange={setMeasure} options={RANK_MEASURES.map((m) => ({ value: m.key, label: m.label }))} />}
      legend={[
        { label: 'W_QK (mean, 95% CI)', color: INK.qk, shape: 'line' },
        { label: 'W_VO', color: INK.vo, shape: 'line' },
        ...(full ? [{ label: `full rank (head size ${full})`, color: INK.baseline, shape: 'line' as const, dashed: true }] : []),
      ]}
    >
      {view ? (
        <ComposedChart responsive data={view.rows} style={{ width: '100%', height: 260 }} margin={MARGIN} data-measure={view.measure} {...chartA11y(title, yLabel, subtitle)}>
          <CartesianGrid {...GRID} />
          <XAxis {...lambdaXAxis(axis)} />
          <YAxis {...valueYAxis(yLabel, scaleAxis(yScale))} />
          {full ? <ReferenceLine y={full} stroke={INK.baseline} strokeDasharray="5 4" /> : null}
          <Area dataKey="band" stroke="none" fill={INK.qk} fillOpacity={0.14} isAnimationActive={false} activeDot={false} connectNulls />
          <Area dataKey="voBand" stroke="none" fill={INK.vo} fillOpacity={0.12} isAnimationActive={false} activeDot={false} connectNulls />
          <Line dataKey="mean" name="W_QK" stroke={INK.qk} strokeWidth={2} dot={QK_DOT} isAnimationActive={false} connectNulls />
          <Line dataKey="vo" name="W_VO" stroke={INK.vo} strokeWidth={2} dot={VO_DOT} isAnimationActive={false} connectNulls />
          <Tooltip content={rankTip} isAnimationActive={false} />
        </ComposedChart>
      ) : null}
    </ChartFrame>
  );
}

/** The tooltip's content: one component for every render, so its live region stays mounted. */
function rankTip({ active, payload }: TooltipContentProps) {
  return (
    <PoliteTip>
      <RankTip active={active} row={payload?.[0]?.payload as RankRow | undefined} />
    </PoliteTip>
  );
}

function RankTip({ active, row }: { active?: boolean; row?: RankRow }) {
  if (!active || !row) return null;
  return (
    <div style={TOOLTIP_STYLE} className="chart-tip">
      <strong>λ = {row.label}</strong>
      <div>
        W_QK: {fmt(row.mean)}
        {fmtBand(row.band)}
      </div>
      <div>
        W_VO: {fmt(row.vo)}
        {fmtBand(row.voBand)}
      </div>
      <div className="tip-muted">
        {row.n} seed{row.n === 1 ? '' : 's'}
      </div>
    </div>
  );
}

export const RankChart = memo(RankChartImpl);
