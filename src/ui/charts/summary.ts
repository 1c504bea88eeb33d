// Short text summaries of what a chart draws, for its accessible description (the svg's <desc>): a screen
// reader user gets the gist of the curves without walking every point with the arrow keys.
import { formatLambda, formatNumber } from '../controls/sweepEdit';
import type { CurveView } from './data';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const STEPS = new Intl.NumberFormat('en-US');

/**
 * The gist of a curves view, from the points it plots: how many runs over which steps, then for each
 * lambda its first and last value (the mean over that lambda's runs), e.g.
 * "15 runs over step 0–3,980. First → last, mean over each λ's 3 runs: λ 0 4.8 → 1.47; λ 0.1 4.8 → 1.46; ...".
 */
export function curveSummary(view: CurveView, xLabel = 'step'): string {
  const byLambda = new Map<number, { first: number[]; last: number[] }>();
  let [x0, x1] = [Infinity, -Infinity];
  for (const line of view.lines) {
    const points = line.data.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y));
    if (!points.length) continue;
    const [first, last] = [points[0], points[points.length - 1]];
    [x0, x1] = [Math.min(x0, first.x), Math.max(x1, last.x)];
    const entry = byLambda.get(line.lambda) ?? { first: [], last: [] };
    entry.first.push(first.y);
    entry.last.push(last.y);
    byLambda.set(line.lambda, entry);
  }
  const groups = [...byLambda].sort(([a], [b]) => a - b);
  const runs = groups.reduce((n, [, g]) => n + g.last.length, 0);
  if (!runs) return 'No points plotted.';
  const perLambda = new Set(groups.map(([, g]) => g.last.length));
  const k = [...perLambda][0];
  const averaged = runs > groups.length ? (perLambda.size === 1 ? `, mean over each λ's ${k} runs` : ", mean over each λ's runs") : '';
  const values = groups.map(([lambda, g]) => `λ ${formatLambda(lambda)} ${formatNumber(mean(g.first))} → ${formatNumber(mean(g.last))}`);
  return `${runs} run${runs === 1 ? '' : 's'} over ${xLabel} ${STEPS.format(x0)}–${STEPS.format(x1)}. First → last${averaged}: ${values.join('; ')}.`;
}
