// Plots of a results file, drawn by the lab itself: `npm run plots -- <results.json> [--out dir]`.
// Serves the built lab, imports the file (the same validation as the page's Import), and saves every chart
// that has data as SVG through the chart's own export (title and legend included): one file per chart, and
// one per view where a chart switches views (tasks, loss curves, weight-norm layers). For docs/results/.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, servePreview } from '../labBrowser';

const PORT = 4181;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Imports the results through the page's store; fails with the page's own message if the file is refused. */
async function importResults(page: Page, text: string, name: string): Promise<void> {
  const outcome = await page.evaluate(
    ({ text, name }) => {
      type Lab = { getState: () => { importResultsText: (t: string, f: string) => boolean; notice?: { message: string } } };
      const lab = (window as unknown as { plasticityLab: Lab }).plasticityLab;
      return lab.getState().importResultsText(text, name) ? null : (lab.getState().notice?.message ?? 'refused');
    },
    { text, name },
  );
  if (outcome) throw new Error(`the lab refused ${name}: ${outcome}`);
}

/** Clicks the chart's SVG export and saves the download as `file`; the chart's export error if it fails.
 *  One retry: a click that lands while the chart re-renders (a transition) can go unanswered. */
async function exportSvg(page: Page, chart: Locator, file: string, attempts = 2): Promise<void> {
  const download = page.waitForEvent('download', { timeout: 10_000 }).catch(() => null);
  await chart.getByRole('button', { name: /as SVG$/ }).click();
  const failed = chart.getByRole('alert');
  const outcome = await Promise.race([download, failed.waitFor({ timeout: 10_000 }).then(() => 'failed' as const, () => null)]);
  if (outcome === 'failed') throw new Error(`${file}: ${await failed.textContent()}`);
  if (!outcome) {
    if (attempts > 1) return exportSvg(page, chart, file, attempts - 1);
    throw new Error(`${file}: the chart's SVG export gave no download`);
  }
  await outcome.saveAs(file);
  console.log(`wrote ${file}`);
}

/** Every combination of the chart's toggles (its radio groups: e.g. fine-tuned score or gain, exact match or
 *  answer NLL), as the radios to click; one empty combination for a chart without toggles. */
async function toggleCombinations(chart: Locator): Promise<Locator[][]> {
  let combos: Locator[][] = [[]];
  for (const group of await chart.getByRole('radiogroup').all()) {
    const radios: Locator[] = [];
    for (const radio of await group.getByRole('radio').all()) if (await radio.isEnabled()) radios.push(radio);
    if (radios.length) combos = combos.flatMap((combo) => radios.map((r) => [...combo, r]));
  }
  return combos;
}

/** Clicks each radio in turn; false (and stops) at one that the earlier clicks left disabled. */
async function clickAll(radios: readonly Locator[]): Promise<boolean> {
  for (const radio of radios) {
    if (!(await radio.isEnabled())) return false;
    await radio.click();
  }
  return true;
}

const isFirstOption = async (radio: Locator) => (await radio.evaluate((el) => el.previousElementSibling === null));

async function main(): Promise<void> {
  const input = process.argv[2];
  if (!input || input.startsWith('--')) throw new Error('usage: npm run plots -- <results.json> [--out dir]');
  const out = arg('--out') ?? join('docs', 'results', 'plots', basename(input, '.json'));
  mkdirSync(out, { recursive: true });
  const stop = await servePreview(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await page.goto(`http://127.0.0.1:${PORT}/`);
    await importResults(page, readFileSync(input, 'utf8'), basename(input));
    const charts = page.locator('figure[data-testid^="chart-"]:not([data-points="0"])');
    await charts.first().waitFor();
    for (const chart of await charts.all()) {
      const id = (await chart.getAttribute('data-testid'))!.replace(/^chart-/, '');
      for (const toggles of await toggleCombinations(chart)) {
        // The first option of every toggle is the chart's default: its file keeps the chart's plain name. A
        // combination the chart does not offer (an option disabled by an earlier choice: answer NLL has no gain
        // view) is skipped.
        if (!(await clickAll(toggles))) continue;
        const suffix = (await Promise.all(toggles.map(async (r, i) => ((await isFirstOption(r)) ? '' : slug((await r.textContent()) ?? String(i)))))).filter(Boolean);
        const name = [id, ...suffix].join('-');
        const select = chart.locator('select.view-select');
        const views = (await select.count()) ? await select.first().locator('option').all() : [];
        if (!views.length) {
          await exportSvg(page, chart, join(out, `${name}.svg`));
          continue;
        }
        for (const option of views) {
          const [value, label] = [await option.getAttribute('value'), await option.textContent()];
          await select.first().selectOption(value!);
          await exportSvg(page, chart, join(out, `${name}-${slug(label ?? value!)}.svg`));
        }
      }
    }
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
