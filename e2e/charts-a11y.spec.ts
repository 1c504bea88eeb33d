// Keyboard and screen-reader behaviour of the charts, on the H200 reference sweep (no training): one tab stop
// per plot, segmented controls that act as radio groups, polite tooltips, descriptions that carry the data.
import { expect, test, type Page } from '@playwright/test';
import { chartPoints } from './support';

async function openReference(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('region', { name: 'Share and export' }).getByRole('button', { name: 'Open the H200 reference sweep' }).click();
  await expect.poll(() => chartPoints(page, 'chart-loss')).toBeGreaterThan(0);
  await expect.poll(() => chartPoints(page, 'chart-plasticity')).toBeGreaterThanOrEqual(20);
}

interface Stop {
  chart: string;
  tag: string;
  plot: boolean;
  name: string;
}

/** Every stop the Tab key makes on the page, in order, with the chart it lies in (if any). */
async function tabStops(page: Page): Promise<Stop[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: Stop[] = [];
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const marked = (window as unknown as { seenStops?: Set<Element> }).seenStops ?? new Set<Element>();
      (window as unknown as { seenStops?: Set<Element> }).seenStops = marked;
      if (marked.has(el)) return 'again';
      marked.add(el);
      return {
        chart: el.closest('figure.chart')?.getAttribute('data-testid') ?? '',
        tag: `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`,
        plot: el.closest('svg.recharts-surface') !== null,
        name: el.getAttribute('aria-label') ?? '',
      };
    });
    if (stop === null || stop === 'again') break;
    stops.push(stop);
  }
  await page.evaluate(() => delete (window as unknown as { seenStops?: unknown }).seenStops);
  return stops;
}

test('each plot is one named tab stop: recharts layers are out of the tab order, also after the charts change', async ({ page }) => {
  await openReference(page);
  // Change views so charts draw new layers after mount (the gain view adds a zero line, the select a new view).
  await page.getByRole('radio', { name: 'gain over base' }).click();
  await page.getByRole('combobox', { name: 'Loss curves: view' }).selectOption({ label: 'Validation bits/char' });
  await expect(page.getByTestId('plasticity-KV')).toHaveAttribute('data-show', 'gain');

  const stops = await tabStops(page);
  expect(stops.length).toBeGreaterThan(20);
  const charts = await page.locator('figure.chart').evaluateAll((figs) => figs.map((f) => ({ id: f.getAttribute('data-testid')!, plots: f.querySelectorAll('svg.recharts-surface').length })));
  expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['chart-plasticity', 'chart-loss', 'chart-weight-norms', 'chart-rank', 'chart-gap', 'chart-probes']));
  for (const { id, plots } of charts) {
    const inPlots = stops.filter((s) => s.chart === id && s.plot);
    // One stop per plot (the plasticity chart draws a panel per task), on the svg itself, named for the chart.
    expect(inPlots.map((s) => s.tag), id).toEqual(Array(plots).fill('svg.recharts-surface'));
    for (const s of inPlots) expect(s.name, id).toMatch(/\S/);
  }
  // And no chart layer anywhere is left tabbable.
  expect(await page.locator('g[class*="recharts-zIndex-layer_"]:not([tabindex="-1"])').count()).toBe(0);
});

test('segmented controls are radio groups: one tab stop, arrows and Home/End move and select', async ({ page }) => {
  await openReference(page);
  const shown = page.getByRole('radiogroup', { name: 'Plotted value' });
  const ft = shown.getByRole('radio', { name: 'after fine-tuning' });
  const gain = shown.getByRole('radio', { name: 'gain over base' });
  await ft.focus();
  // Tab leaves the group from the checked radio: the unchecked one is not a stop.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('radiogroup', { name: 'Exact-match metric' }).getByRole('radio', { name: 'exact match' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(ft).toBeFocused();

  await page.keyboard.press('ArrowRight');
  await expect(gain).toBeFocused();
  await expect(gain).toHaveAttribute('aria-checked', 'true');
  await expect(ft).toHaveAttribute('aria-checked', 'false');
  await expect(page.getByTestId('plasticity-KV')).toHaveAttribute('data-show', 'gain');
  await page.keyboard.press('ArrowRight'); // wraps
  await expect(ft).toBeFocused();
  await expect(page.getByTestId('plasticity-KV')).toHaveAttribute('data-show', 'ft');
  await page.keyboard.press('End');
  await expect(gain).toHaveAttribute('aria-checked', 'true');
  // In the gain view answer NLL is disabled: the metric group's arrows skip it and stay on exact match.
  const metric = page.getByRole('radiogroup', { name: 'Exact-match metric' });
  await metric.getByRole('radio', { name: 'exact match' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(metric.getByRole('radio', { name: 'exact match' })).toBeFocused();
  await expect(metric.getByRole('radio', { name: 'answer NLL' })).toBeDisabled();
  await page.keyboard.press('Shift+Tab');
  await expect(gain).toBeFocused();
  await page.keyboard.press('Home');
  await expect(ft).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowLeft');
  await expect(metric.getByRole('radio', { name: 'answer NLL' })).toBeFocused();
  await expect(page.getByTestId('plasticity-KV')).toHaveAttribute('data-metric', 'nll');

  const rank = page.getByRole('radiogroup', { name: 'Rank measure' });
  await rank.getByRole('radio', { checked: true }).focus();
  await page.keyboard.press('ArrowUp'); // wraps to the last
  await expect(rank.getByRole('radio', { name: 'entropy rank' })).toBeFocused();
  await expect(page.getByTestId('chart-rank').locator('[data-measure]')).toHaveAttribute('data-measure', 'effectiveRank');
  await expect(rank.getByRole('radio', { checked: false })).toHaveCount(2);
  expect(await rank.getByRole('radio').evaluateAll((rs) => rs.map((r) => r.getAttribute('tabindex')))).toEqual(['-1', '-1', '0']);
});

test('tooltips speak politely and the curve charts describe their data', async ({ page }) => {
  await openReference(page);
  const loss = page.getByTestId('chart-loss');
  const surface = loss.locator('svg.recharts-surface');
  // The description: one line, then per lambda the first and last value of what is drawn.
  await expect(surface.locator('desc')).toHaveText(/^Pretraining loss: one line per run, coloured by λ\. 15 runs over step [\d,]+–[\d,]+\. First → last, mean over each λ's 3 runs: λ 0 [\d.]+ → [\d.]+; λ 0\.1 [\d.]+ → [\d.]+; .*\.$/);
  await expect(page.getByTestId('chart-weight-norms').locator('svg.recharts-surface desc')).toContainText("First → last, mean over each λ's 3 runs: λ 0 ");

  await surface.focus();
  await page.keyboard.press('ArrowRight');
  const tip = loss.locator('.recharts-tooltip-wrapper [role="status"]');
  await expect(tip).toHaveAttribute('aria-live', 'polite');
  await expect(tip).toContainText('step');
  await surface.hover();
  for (const id of ['chart-plasticity', 'chart-loss', 'chart-weight-norms', 'chart-rank', 'chart-gap', 'chart-probes']) {
    const chart = page.getByTestId(id);
    expect(await chart.locator('[aria-live="assertive"]').count(), id).toBe(0);
    expect(await chart.locator('.recharts-tooltip-wrapper').count(), id).toBeGreaterThan(0);
    expect(await chart.locator('.recharts-tooltip-wrapper [role="status"][aria-live="polite"]').count(), id).toBe(await chart.locator('.recharts-tooltip-wrapper').count());
  }
});
