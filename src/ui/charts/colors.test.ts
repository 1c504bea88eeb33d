import { describe, expect, it } from 'vitest';
import { contrastRatio, INK, LAMBDA_ZERO_COLOR, lambdaColor, lambdaFromPosition } from './colors';

// WCAG 2.2: 1.4.11 non-text contrast (lines, markers) 3:1; 1.4.3 text below 18pt 4.5:1. Charts draw on white.
const LINE = 3;
const TEXT = 4.5;

/** The colours that fail a threshold, with their ratio, so a failure names them. */
function below(threshold: number, colors: Record<string, string>): string[] {
  return Object.entries(colors)
    .map(([name, color]) => [name, color, contrastRatio(color)] as const)
    .filter(([, , ratio]) => ratio < threshold)
    .map(([name, color, ratio]) => `${name} ${color} ${ratio.toFixed(2)}:1`);
}

describe('chart colours on white', () => {
  it('computes the WCAG ratio (known values)', () => {
    expect(contrastRatio('#000000')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff')).toBe(1);
    expect(contrastRatio('#767676')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#ffffff', '#767676')).toBeCloseTo(contrastRatio('#767676', '#ffffff'), 12);
  });

  it('every lambda series colour reaches 3:1, along the whole scale (0, then 1e-4 .. past 10)', () => {
    const colors: Record<string, string> = { 'λ 0': lambdaColor(0) };
    for (let k = 1; k <= 400; k++) {
      const lambda = lambdaFromPosition(k / 400);
      colors[`λ ${lambda.toPrecision(3)}`] = lambdaColor(lambda);
    }
    for (const lambda of [1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 1, 3, 10, 100]) colors[`λ ${lambda}`] = lambdaColor(lambda);
    expect(below(LINE, colors)).toEqual([]);
    expect(lambdaColor(0)).toBe(LAMBDA_ZERO_COLOR);
  });

  it('keeps the lab grid distinguishable and in hue order (teal, green, orange, red)', () => {
    const hue = (color: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255);
      const max = Math.max(r, g, b);
      const d = max - Math.min(r, g, b);
      const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
      return (h * 60 + 360) % 360;
    };
    const hues = [0.1, 0.3, 1, 3].map((l) => hue(lambdaColor(l)));
    // Teal > green > orange > red, going down the colour wheel, each step at least 20 degrees.
    for (let i = 1; i < hues.length; i++) expect(hues[i - 1] - hues[i]).toBeGreaterThan(20);
  });

  it('neutral lines reach 3:1 and neutral text 4.5:1 (gridlines alone are exempt: a reading aid, not data)', () => {
    const { grid, ...lines } = INK;
    expect(contrastRatio(grid)).toBeLessThan(LINE);
    expect(below(LINE, lines)).toEqual([]);
    // Text: tick and axis labels (axis), 'base bpc ↓', 'best base' and 'chance' (baselineText), the 'best λ'
    // and 'random init' labels (best, control), all at 10-11px.
    expect(below(TEXT, { axis: INK.axis, baselineText: INK.baselineText, best: INK.best, control: INK.control })).toEqual([]);
  });
});
