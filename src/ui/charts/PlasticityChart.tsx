// The plasticity chart: for each task, the score after fine-tuning (or the gain over the base model)
// against lambda with 95% confidence bands across seeds, and the base model's validation bits/char on a
// second axis of the same panel, so the trade-off (worse base, better after fine-tuning) shows at a glance.
import { memo, useCallback, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, Scatter, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { formatLambda } from '../controls/sweepEdit';
import { ChartFrame, Segmented } from './ChartFrame';
import { chartA11y, fmt, fmtBand, GRID, lambdaDot, lambdaXAxis, MARGIN, PoliteTip, scaleAxis, seedDot, TOOLTIP_STYLE, valueYAxis } from './chartKit';
import { INK } from './colors';
import type { LambdaAxis, PlasticityRow, PlasticityTask, PlasticityView, Stat } from './data';
import { NON_NEGATIVE, niceScale } from './scale';
import { clampedView, optimumVerdict } from './verdict';

export interface PlasticityChartProps {
  tasks: readonly PlasticityTask[];
  axis: LambdaAxis;
}

type Show = 'ft' | 'gain';
type Metric = 'score' | 'nll';

const SCORE = INK.score;
const SCORE_BAND = '#3f63d8';
const BEST = INK.best;
const CONTROL = INK.control;
const TITLE = 'Plasticity: fine-tuned score against pretraining weight decay';
const SCORE_DOT = lambdaDot();

function PlasticityChartImpl({ tasks, axis }: PlasticityChartProps) {
  const [show, setShow] = useState<Show>('ft');
  const [metric, setMetric] = useState<Metric>('score');
  const hasNll = tasks.some((t) => t.nll);
  // Answer NLL has no gain view (data.ts, measured): in 'gain' the exact-match tasks show their score's gain.
  const nll = metric === 'nll' && show === 'ft';
  const views = tasks.map((t) => (nll && t.nll ? t.nll : t.score)).filter((v): v is PlasticityView => v !== null);
  const points = views.reduce((n, v) => n + v.points, 0);
  const lambdas = [...new Set(views.flatMap((v) => v.rows.filter((r) => r.ft !== null).map((r) => r.lambda)))].sort((a, b) => a - b);
  const controls = show === 'ft' && views.some((v) => v.control);
  const toolbar = (
    <>
      <Segmented label="Plotted value" value={show} onChange={setShow} options={[{ value: 'ft', label: 'after fine-tuning' }, { value: 'gain', label: 'gain over base' }]} />
      {hasNll ? (
        <Segmented
          label="Exact-match metric"
          value={show === 'gain' ? 'score' : metric}
          onChange={setMetric}
          options={[{ value: 'score', label: 'exact match' }, { value: 'nll', label: 'answer NLL', disabled: show === 'gain' }]}
        />
      ) : null}
    </>
  );
  return (
    <ChartFrame
      testId="chart-plasticity"
      className="chart-wide"
      title={TITLE}
      subtitle={`Solid: ${show === 'gain' ? "the gain from fine-tuning over the base model's own score" : 'task score after fine-tuning'} (mean across seeds, band = 95% CI, circles = seeds). Dashed grey: the base model's validation bits/char (right axis, lower is better).${controls ? ' Dashed brown: the random-init control (untrained models fine-tuned the same way; mean, band = 95% CI across seeds): a task the pretrained models do not beat it on measures trainability only.' : ''}${show === 'gain' && hasNll ? ' Answer NLL has no gain view: the base model’s zero-shot NLL on a prompt format it never saw measures its calibration, and a gain over it would reward the worst-calibrated base.' : ''}`}
      points={points}
      empty={views.length ? undefined : 'No fine-tuning results yet: press Sweep to pretrain every λ in the grid and fine-tune each model on the chosen tasks (Train runs a single λ).'}
      toolbar={toolbar}
      lambdas={lambdas}
      legend={[
        { label: show === 'gain' ? 'gain over base (mean, 95% CI)' : 'after fine-tuning (mean, 95% CI)', color: SCORE, shape: 'line' },
        { label: 'seeds', color: INK.baseline, shape: 'hollow' },
        { label: 'base val bits/char (right axis)', color: INK.baseline, shape: 'line', dashed: true },
        ...(controls ? [{ label: 'random-init control (mean, 95% CI)', color: CONTROL, shape: 'line' as const, dashed: true }] : []),
        { label: show === 'gain' ? 'λ with the largest gain' : 'best λ after fine-tuning', color: BEST, shape: 'line' },
      ]}
      footer={lambdas.length === 1 ? 'One λ so far: the trade-off needs the sweep (several λ, several seeds).' : undefined}
    >
      <div className="small-multiples">
        {views.map((v) => (
          <TaskPanel key={v.task} view={clampedView(v)} axis={axis} show={show} />
        ))}
      </div>
    </ChartFrame>
  );
}

export const PlasticityChart = memo(PlasticityChartImpl);

/** The score axis: everything drawn on it (means, bands, seeds, the control), in round-number ticks, stopping
 *  where the quantity does (clampedView cuts the bands there): a percentage at 0 and 100, a gain in percentage
 *  points at -100 and 100, NLL and bits/char at 0; a gain in bits/char is unbounded. */
function scoreScale(view: PlasticityView, gain: boolean, seeds: readonly { y: number | null }[], control: Stat | null) {
  const plotted = view.rows.flatMap((r) => (gain ? [r.gain, ...(r.gainBand ?? [])] : [r.ft, ...(r.ftBand ?? [])]));
  const extra = control ? [control.mean, ...(control.band ?? [])] : [];
  return niceScale([...plotted, ...seeds.map((s) => s.y), ...extra], gain ? view.range.gain : view.range.value);
}

/** The right axis: base validation bits/char (>= 0). */
const baseScale = (view: PlasticityView) => niceScale(view.rows.flatMap((r) => [r.base, ...(r.baseBand ?? [])]), NON_NEGATIVE);

function TaskPanel({ view, axis, show }: { view: PlasticityView; axis: LambdaAxis; show: Show }) {
  const gain = show === 'gain';
  const seeds = view.seeds.map((s) => ({ x: s.x, y: gain ? s.gain : s.y })).filter((s) => s.y !== null);
  const label = gain ? view.gainLabel : view.yLabel;
  const title = `${view.task} · ${label}`;
  const n = Math.max(0, ...view.rows.map((r) => r.n));
  const best = (gain ? view.optimum.gain : view.optimum.ft)?.best ?? [];
  const tie = best.length > 1 ? ' (tie)' : '';
  const bestText = (same: boolean) => `${same ? 'best base & ' : ''}${gain ? 'largest gain' : 'best fine-tuned'}${tie}`;
  const control = gain ? null : view.control;
  const [head, ...paired] = optimumVerdict(view, show);
  const extra = `${view.excluded ? ` · ${view.excluded} diverged or failed fine-tune${view.excluded === 1 ? '' : 's'} left out` : ''}${n ? ` · ${n} seed${n === 1 ? '' : 's'}` : ''}`;
  const lines = [head + extra, ...paired];
  // One content component while the panel's data stays, so the tooltip's live region stays mounted.
  const tip = useCallback(
    (p: TooltipContentProps) => (
      <PoliteTip>
        <PlasticityTip {...p} view={view} control={control} />
      </PoliteTip>
    ),
    [view, control],
  );
  return (
    <div className="plasticity-panel" data-testid={`plasticity-${view.task}`} data-points={view.points} data-metric={view.metric} data-show={show}>
      <h4 data-export-text={title}>{title}</h4>
      <ComposedChart responsive data={view.rows} style={{ width: '100%', height: 250 }} margin={{ ...MARGIN, right: 4 }} {...chartA11y(TITLE, title, lines.join(' '))}>
        <CartesianGrid {...GRID} />
        <XAxis {...lambdaXAxis(axis)} />
        <YAxis yAxisId="score" {...valueYAxis(label, { width: 60, ...scaleAxis(scoreScale(view, gain, seeds, control)) })} />
        <YAxis yAxisId="base" orientation="right" {...valueYAxis('base val bits/char ↓', { width: 56, stroke: INK.baseline, ...scaleAxis(baseScale(view)), label: { value: 'base bpc ↓', angle: 90, position: 'insideRight', offset: 10, style: { fontSize: 11, fill: INK.baselineText, textAnchor: 'middle' } } })} />
        <Area yAxisId="base" dataKey="baseBand" stroke="none" fill={INK.baseline} fillOpacity={0.12} isAnimationActive={false} activeDot={false} connectNulls />
        <Line yAxisId="base" dataKey="base" stroke={INK.baseline} strokeWidth={1.6} strokeDasharray="5 4" dot={{ r: 2.5, fill: INK.baseline, stroke: 'none' }} isAnimationActive={false} connectNulls />
        <Area yAxisId="score" dataKey={gain ? 'gainBand' : 'ftBand'} stroke="none" fill={SCORE_BAND} fillOpacity={0.16} isAnimationActive={false} activeDot={false} connectNulls />
        <Scatter yAxisId="score" data={seeds} dataKey="y" shape={seedDot} isAnimationActive={false} legendType="none" />
        {gain ? <ReferenceLine yAxisId="score" y={0} stroke={INK.axis} strokeWidth={1} /> : null}
        {control?.band ? <ReferenceArea yAxisId="score" y1={control.band[0]} y2={control.band[1]} fill={CONTROL} fillOpacity={0.07} stroke="none" ifOverflow="extendDomain" /> : null}
        {control ? <ReferenceLine yAxisId="score" y={control.mean} stroke={CONTROL} strokeWidth={1.4} strokeDasharray="6 3" ifOverflow="extendDomain" label={{ value: 'random init', position: 'insideBottomRight', fontSize: 10, fill: CONTROL }} /> : null}
        {view.bestBase.filter((l) => !best.includes(l)).map((l) => (
          <ReferenceLine key={`base-${l}`} yAxisId="score" x={axis.x(l)} stroke={INK.baseline} strokeDasharray="2 3" label={{ value: 'best base', position: 'insideBottomLeft', fontSize: 10, fill: INK.baselineText }} />
        ))}
        {best.map((l, i) => (
          // A tie draws every tied lambda and labels the last one only (labels at neighbouring lambdas collide).
          <ReferenceLine key={`best-${l}`} yAxisId="score" x={axis.x(l)} stroke={BEST} strokeOpacity={0.7} label={i === best.length - 1 ? { value: bestText(best.some((b) => view.bestBase.includes(b))), position: 'insideTopRight', fontSize: 10, fill: BEST } : undefined} />
        ))}
        <Line yAxisId="score" dataKey={gain ? 'gain' : 'ft'} stroke={SCORE} strokeWidth={2} dot={SCORE_DOT} activeDot={{ r: 6 }} isAnimationActive={false} connectNulls />
        <Tooltip content={tip} isAnimationActive={false} />
      </ComposedChart>
      <p className="panel-note">
        {lines.map((line) => (
          <span key={line} data-export-text={line} style={{ display: 'block' }}>
            {line}
          </span>
        ))}
      </p>
    </div>
  );
}

function PlasticityTip({ active, payload, view, control }: TooltipContentProps & { view: PlasticityView; control: Stat | null }) {
  const row = payload?.find((p) => (p.payload as PlasticityRow | undefined)?.label !== undefined)?.payload as PlasticityRow | undefined;
  if (!active || !row) return null;
  const unit = view.unit === '%' ? '%' : ` ${view.unit}`;
  const vs = row.vsReference;
  return (
    <div style={TOOLTIP_STYLE} className="chart-tip">
      <strong>
        {view.task}, λ = {row.label}
      </strong>
      <div>
        after fine-tuning: {fmt(row.ft, unit)}
        {fmtBand(row.ftBand)}
      </div>
      {view.metric === 'nll' ? null : (
        <div>
          gain over base (+ = better): {fmt(row.gain, view.unit === '%' ? ' pts' : unit)}
          {fmtBand(row.gainBand)}
        </div>
      )}
      <div>
        base val bits/char: {fmt(row.base)}
        {fmtBand(row.baseBand)}
      </div>
      {vs ? (
        <div>
          vs λ {formatLambda(view.referenceLambda)} (paired by seed, + = better): {vs.mean > 0 ? '+' : ''}
          {fmt(vs.mean, view.unit === '%' ? ' pts' : unit)}
          {fmtBand(vs.band)}
        </div>
      ) : null}
      {control ? (
        <div>
          random-init control: {fmt(control.mean, unit)}
          {fmtBand(control.band)} ({control.n} seed{control.n === 1 ? '' : 's'})
        </div>
      ) : null}
      <div className="tip-muted">{row.n} seed{row.n === 1 ? '' : 's'}</div>
    </div>
  );
}
