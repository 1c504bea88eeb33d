// Shared steps for the lab's end-to-end specs: a seconds-long sweep on the tiny preset (set through the
// share-URL keys, as a user's link would), and reading the store the page exposes for inspection.
import { expect, type Page } from '@playwright/test';
import type { Results } from '../src/lab/results';

/** Tiny preset, 12 pretraining steps, one small fine-tuning task, no probes or controls: seconds per run. */
export const TINY = '/?v=1&preset=tiny&budget=steps:12&evalevery=4&seeds=0&tasks=ADD-R:48:24&probes=&control=0&ftepochs=1&ftbatch=16&sigma=0';

/** TINY with some keys set, each replacing TINY's own value (one value per key: the link reads like the lab writes it). */
export function tinyWith(keys: Record<string, string>): string {
  const url = new URL(TINY, 'http://lab/');
  for (const [key, value] of Object.entries(keys)) url.searchParams.set(key, value);
  return `/${url.search}`.replace(/%3A/g, ':').replace(/%2C/g, ',');
}

export async function openLab(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('device-panel')).toHaveAttribute('data-status', 'ready');
}

/** The results in view, read from the store the page exposes as window.plasticityLab. */
export async function viewedResults(page: Page): Promise<Results | undefined> {
  return page.evaluate(() => {
    const lab = (window as unknown as { plasticityLab: { getState: () => { shared?: { results: unknown }; results?: unknown } } }).plasticityLab;
    const s = lab.getState();
    return (s.shared?.results ?? s.results) as Results | undefined;
  });
}

export async function runState(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { plasticityLab: { getState: () => { runState: string } } }).plasticityLab.getState().runState);
}

/** Waits until `count` runs are finished (done, diverged or failed). */
export async function waitForFinishedRuns(page: Page, count: number, timeout = 600_000): Promise<Results> {
  await expect
    .poll(async () => (await viewedResults(page))?.runs.filter((r) => ['done', 'diverged', 'failed'].includes(r.status)).length ?? 0, { timeout, intervals: [2000] })
    .toBeGreaterThanOrEqual(count);
  return (await viewedResults(page))!;
}

export async function chartPoints(page: Page, testId: string): Promise<number> {
  return Number((await page.getByTestId(testId).getAttribute('data-points')) ?? 0);
}
