// One lambda colour scale for every chart and control. Lambda spans 0 and 1e-4 .. 10, so the scale is
// log-like but defined at 0: t = asinh(lambda / c) / asinh(10 / c), with the knee c near the smallest
// nonzero lambda of the paper's grid so each decade gets its own hue; lambda 0 (no decay, the control)
// is charcoal. The hues change fastest over 0.1 .. 3, where the lab's default grid lies.

/** Where the scale turns from linear (near 0) to logarithmic. */
export const LAMBDA_KNEE = 3e-4;
const LAMBDA_TOP = 10;

/** Lambda's position on a 0..1 log-like scale (0 at lambda 0, 1 at lambda 10; larger values extend past 1). */
export function lambdaPosition(lambda: number): number {
  return Math.asinh(Math.max(0, lambda) / LAMBDA_KNEE) / Math.asinh(LAMBDA_TOP / LAMBDA_KNEE);
}

/** Inverse of lambdaPosition (axis ticks). */
export function lambdaFromPosition(t: number): number {
  return LAMBDA_KNEE * Math.sinh(t * Math.asinh(LAMBDA_TOP / LAMBDA_KNEE));
}

/** Anchors of a dark-to-warm palette that stays readable on white at every point (no pale yellows): each
 *  anchor has at least 3:1 contrast on white (WCAG 1.4.11), and so has every blend of two of them (mixing in
 *  sRGB never raises luminance above the lighter anchor's); colors.test.ts checks it along the whole scale. */
const ANCHORS: [number, [number, number, number]][] = [
  [0, [72, 52, 150]], // lambda -> 0+: indigo
  [0.17, [88, 80, 200]], // 1e-3: violet-blue
  [0.38, [33, 113, 181]], // 0.01: blue
  [0.585, [22, 150, 135]], // 0.1: teal
  [0.685, [104, 154, 24]], // 0.3: green
  [0.79, [218, 114, 8]], // 1: orange
  [0.896, [214, 48, 39]], // 3: red
  [1, [122, 1, 119]], // 10: purple
];

/** Lambda 0 (no decay): the control every other lambda is compared with. */
export const LAMBDA_ZERO_COLOR = '#2f3340';

function hex(rgb: number[]): string {
  return `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** The colour of a lambda in every chart. */
export function lambdaColor(lambda: number): string {
  if (!(lambda > 0)) return LAMBDA_ZERO_COLOR;
  const t = Math.min(1, lambdaPosition(lambda));
  let k = 1;
  while (k < ANCHORS.length - 1 && ANCHORS[k][0] < t) k++;
  const [t0, c0] = ANCHORS[k - 1];
  const [t1, c1] = ANCHORS[k];
  const f = t1 === t0 ? 0 : Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  return hex(c0.map((v, i) => v + f * (c1[i] - v)));
}

/**
 * Neutral colours shared by the charts. Lines reach 3:1 on white (WCAG 1.4.11) and text 4.5:1 (1.4.3):
 * baseline draws lines and seed circles, baselineText the small labels beside them, chance the probe
 * chart's chance level; grid alone is lighter, as gridlines are a reading aid, not data.
 */
export const INK = {
  axis: '#5a6478',
  grid: '#e6e9ef',
  baseline: '#8a93a6',
  baselineText: '#6b7385',
  chance: '#868e9f',
  base: '#4a5365',
  qk: '#3f63d8',
  vo: '#d7301f',
  /** A mean across seeds drawn in one colour (plasticity score, scalar measurements). */
  score: '#27324f',
  /** The best lambda's marker on the plasticity chart. */
  best: '#3f63d8',
  /** The random-init control: a colour outside the lambda palette. */
  control: '#8c564b',
};

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b = '#ffffff'): number {
  const [la, lb] = [a, b].map(luminance).sort((x, y) => y - x);
  return (la + 0.05) / (lb + 0.05);
}

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(color: string): number {
  const channel = (i: number) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
