import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { TooltipContentProps } from 'recharts';
import { describe, expect, it } from 'vitest';
import { seriesTip } from './chartKit';
import { lambdaColor } from './colors';

const Tip = seriesTip((x) => `step ${String(x)}`, (y) => Number(y).toFixed(2), true);
const render = (props: Partial<TooltipContentProps>) => renderToStaticMarkup(createElement(Tip, props as TooltipContentProps));
const payload = [
  { name: 'λ 0.3 · seed 0', value: 1.5, color: lambdaColor(0.3), dataKey: 'y' },
  { name: 'λ 1 · seed 0', value: 2.25, color: lambdaColor(1), dataKey: 'y' },
] as unknown as TooltipContentProps['payload'];

describe('series tooltip', () => {
  it('is a polite live region, present (empty) while the tooltip is hidden', () => {
    expect(render({ active: false, payload, label: 10 })).toBe('<div role="status" aria-live="polite" aria-atomic="true"></div>');
    expect(render({ active: true, payload: [], label: 10 })).toBe('<div role="status" aria-live="polite" aria-atomic="true"></div>');
  });

  it('lists each series with a colour swatch and text in the page colour, largest value first when asked', () => {
    const html = render({ active: true, payload, label: 10 });
    expect(html).toMatch(/^<div role="status" aria-live="polite" aria-atomic="true"><div [^>]*class="chart-tip"><strong>step 10<\/strong>/);
    const rows = [...html.matchAll(/<div><span style="([^"]*)"><\/span>([^<]*)<\/div>/g)].map((m) => [m[1].match(/background:(#[0-9a-f]{6})/)?.[1], m[2]]);
    expect(rows).toEqual([
      [lambdaColor(1), 'λ 1 · seed 0: 2.25'],
      [lambdaColor(0.3), 'λ 0.3 · seed 0: 1.50'],
    ]);
    expect(html).not.toMatch(/[^-]color:/); // no text drawn in a series colour
  });
});
