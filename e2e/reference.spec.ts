import { expect, test } from '@playwright/test';
import { chartPoints, viewedResults } from './support';

test('the H200 reference sweep opens on its charts without training anything', async ({ page }, testInfo) => {
  await page.goto('/');
  // Offered twice while nothing is open: in the empty runs table (used here) and in the share bar.
  const offers = page.getByRole('button', { name: 'Open the H200 reference sweep' });
  await expect(offers).toHaveCount(2);
  await page.getByTestId('runs-table').getByRole('button', { name: 'Open the H200 reference sweep' }).click();
  await expect(page.getByText('Imported the H200 reference sweep (2026-11-26): 15 runs')).toBeVisible();
  const results = (await viewedResults(page))!;
  expect(results.runs.filter((r) => r.status === 'done')).toHaveLength(15);
  expect(results.controls).toHaveLength(12);
  // Four tasks x five lambdas on the plasticity chart, and every run in the table.
  await expect.poll(() => chartPoints(page, 'chart-plasticity')).toBeGreaterThanOrEqual(20);
  await expect(page.getByRole('table', { name: /runs/i }).getByRole('row')).toHaveCount(16);
  await expect(offers).toHaveCount(1); // the share bar's stays
  // Train and Sweep here would not mix this machine's runs into the H200's: they start a new sweep, and say so.
  await expect(page.getByTestId('run-hint')).toContainText('Both start a new sweep: the open results were made on nvidia (nvidia-h200');
  await expect(page.getByTestId('run-hint')).toContainText('This is a software GPU');
  await page.screenshot({ path: testInfo.outputPath('reference.png'), fullPage: true });
});
