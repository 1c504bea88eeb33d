// The plasticity chart's verdicts in words: where the best lambda (or the largest gain) sits against the base
// optimum, and what the paired interval between them allows. Pure; the numbers come from data.ts.
import { formatLambda, formatNumber } from '../controls/sweepEdit';
import type { Optimum, PlasticityView, Stat } from './data';
import { clampBand, clampStat, NON_NEGATIVE, type Range } from './scale';

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${formatNumber(Math.abs(x))}`;
const listOf = (lambdas: readonly number[]) => lambdas.map(formatLambda).join(lambdas.length > 2 ? ', ' : ' and ');

/** One paired comparison in words, as two lines: the mean difference (+ = better) with its interval, then what
 *  the interval allows (short lines: a panel note is exported one line per element). */
export function pairedVerdict(diff: Stat | null, unit: string): [string, string] | [string] {
  if (!diff) return ['No seed in common with the base optimum'];
  const mean = `${signed(diff.mean)}${unit}`;
  if (!diff.band) return [mean, 'One seed: no interval available'];
  const [lo, hi] = diff.band;
  const reading = lo <= 0 && hi >= 0 ? 'Not distinguishable from the base optimum (the interval contains 0)' : lo > 0 ? 'Better than the base optimum (the interval is above 0)' : 'Worse than the base optimum (the interval is below 0)';
  return [`${mean} (95% CI ${signed(lo)} – ${signed(hi)})`, reading];
}

/** Where the fine-tuned optimum (or the largest gain) sits against the base optimum, as lines: the first names
 *  the best lambda(s), ties included; then one per best lambda that is not a base optimum, reading its paired
 *  interval against the base optimum ('not distinguishable' where it contains 0). */
export function optimumVerdict(view: Pick<PlasticityView, 'optimum' | 'bestBase' | 'unit'>, show: 'ft' | 'gain' = 'ft'): string[] {
  const o = show === 'gain' ? view.optimum.gain : view.optimum.ft;
  const what = show === 'gain' ? 'Largest gain over base' : 'Best λ after fine-tuning';
  if (!o) return ['No gain over base for this metric'];
  if (!o.best.length) return [show === 'gain' ? 'No gain over base yet' : 'No fine-tuned score yet'];
  const head = `${what}: ${o.best.length > 1 ? `λ ${listOf(o.best)} tie` : formatLambda(o.best[0])}`;
  if (!view.bestBase.length) return [head];
  const base = `the base optimum (${view.bestBase.length > 1 ? `λ ${listOf(view.bestBase)} tie` : formatLambda(view.bestBase[0])})`;
  if (!o.vsBase.length) return [`${head}, ${o.best.length > 1 ? 'including' : 'same as'} ${base}`];
  const side = o.best.every((l) => l > view.bestBase[0]) ? 'larger than' : o.best.every((l) => l < view.bestBase[0]) ? 'smaller than' : 'on both sides of';
  const unit = view.unit === '%' ? ' pts' : ` ${view.unit}`;
  const who = (lambda: number) => `${o.vsBase.length > 1 ? `λ ${formatLambda(lambda)} ` : ''}vs the base optimum, paired by seed (+ = better)`;
  const each = o.vsBase.flatMap(({ lambda, diff }) => {
    const [numbers, reading] = pairedVerdict(diff, unit);
    return reading ? [`${who(lambda)}: ${numbers}`, reading] : [numbers];
  });
  return [`${head}, ${side} ${base}`, ...each];
}

function clampOptimum<T extends Optimum | null>(o: T, range: Range): T {
  return o && { ...o, vsBase: o.vsBase.map((d) => ({ ...d, diff: clampStat(d.diff, range) })) };
}

/**
 * The view as drawn: every 95% band cut to what its quantity can be (view.range: a percentage in [0, 100], a
 * paired difference of two in [-100, 100], NLL and bits/char >= 0), in the plot, the tooltip and the notes.
 * A t interval from 3 seeds reaches past those ends (NLL "-0.759 – 2.09"); data.ts keeps it whole.
 * The page and the report (tools/results/report.ts) both show this view.
 */
export function clampedView(view: PlasticityView): PlasticityView {
  const { value, gain, diff, gainDiff } = view.range;
  return {
    ...view,
    rows: view.rows.map((r) => ({
      ...r,
      ftBand: clampBand(r.ftBand, value),
      gainBand: clampBand(r.gainBand, gain),
      baseBand: clampBand(r.baseBand, NON_NEGATIVE),
      vsReference: clampStat(r.vsReference, diff),
    })),
    optimum: { ft: clampOptimum(view.optimum.ft, diff), gain: clampOptimum(view.optimum.gain, gainDiff) },
    control: clampStat(view.control, value),
  };
}
