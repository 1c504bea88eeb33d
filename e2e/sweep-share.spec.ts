import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chartPoints, openLab, runState, TINY, viewedResults, waitForFinishedRuns } from './support';

test('a two-lambda sweep completes; export/import and a share link reproduce it', async ({ page, browser }, testInfo) => {
  await openLab(page, `${TINY}&wd=0,1`);
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  const results = await waitForFinishedRuns(page, 2);
  expect(results.runs.map((r) => r.lambda).sort()).toEqual([0, 1]);
  await expect.poll(() => chartPoints(page, 'chart-plasticity')).toBeGreaterThanOrEqual(2);
  const table = await page.getByRole('table', { name: /runs/i }).innerText();
  await page.screenshot({ path: testInfo.outputPath('sweep-done.png'), fullPage: true });

  // Export the results JSON, import it in a fresh browser: the same runs table.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export results JSON' }).click();
  const file = testInfo.outputPath('results.json');
  await (await download).saveAs(file);
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto('/');
  await other.getByLabel('Import results JSON').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: readFileSync(file) });
  await expect.poll(() => other.getByRole('table', { name: /runs/i }).innerText()).toBe(table);
  await fresh.close();

  // Share: the link opens on the same charts in a fresh context, with nothing trained there.
  await page.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.length).toBeLessThan(16 * 1024);
  const viewer = await browser.newContext();
  const shared = await viewer.newPage();
  await shared.goto(link);
  await expect(shared.getByTestId('shared-banner')).toBeVisible();
  await expect.poll(() => chartPoints(shared, 'chart-plasticity')).toBe(await chartPoints(page, 'chart-plasticity'));
  expect((await viewedResults(shared))!.runs).toHaveLength(2);
  expect(await runState(shared)).toBe('idle');
  await shared.screenshot({ path: testInfo.outputPath('shared.png'), fullPage: true });

  // Re-run to verify: the same sweep trains here and its numbers stand beside the shared ones.
  await expect(shared.getByTestId('device-panel')).toHaveAttribute('data-status', 'ready');
  await shared.getByRole('button', { name: 'Re-run to verify' }).click();
  await waitForFinishedRuns(shared, 2);
  const verify = shared.getByRole('table', { name: 'Verification' });
  await expect(verify).toContainText('wd0-s0');
  await expect(verify).toContainText('base val bits/char');
  await expect(verify).not.toContainText('…');
  await shared.screenshot({ path: testInfo.outputPath('verified.png'), fullPage: true });
  await viewer.close();
});
