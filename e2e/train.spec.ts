import { expect, test } from '@playwright/test';
import { chartPoints, openLab, TINY, waitForFinishedRuns } from './support';

test('slider + Train: the loss chart fills and falls, the plasticity chart gains a point', async ({ page }, testInfo) => {
  await openLab(page, `${TINY}&wd=0,1`);
  const exact = page.getByRole('spinbutton', { name: 'Weight decay λ' });
  await exact.fill('0.3');
  await exact.press('Enter');
  await expect(page.getByTestId('timescale-shrink')).not.toHaveText('1');
  // From the keyboard: Enter on Train disables it, and focus moves to Pause rather than dropping to <body>.
  await page.getByRole('button', { name: 'Train', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeFocused();

  // The live chart streams the run in flight; the comparison loss chart takes its curve when pretraining ends.
  await expect.poll(() => chartPoints(page, 'chart-live'), { timeout: 300_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: testInfo.outputPath('training.png'), fullPage: true });
  await expect.poll(() => chartPoints(page, 'chart-loss'), { timeout: 300_000 }).toBeGreaterThan(0);
  const results = await waitForFinishedRuns(page, 1);
  const run = results.runs.find((r) => r.lambda === 0.3)!;
  expect(run.status).toBe('done');
  const losses = run.pretrain!.loss.y.filter((y): y is number => y !== null);
  expect(losses.at(-1)!).toBeLessThan(losses[0]);
  await expect.poll(() => chartPoints(page, 'chart-plasticity')).toBeGreaterThan(0);
  // The end is announced, Escape dismisses it, and focus is back on Train.
  await expect(page.getByTestId('notice')).toContainText('Finished: 1 run (λ 0.3, seed 0) of');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  // Train again at the same lambda would re-run it: the hint says so before the click.
  await expect(page.getByTestId('run-hint')).toContainText('Train: re-runs λ = 0.3, seed 0, replacing the done run there.');
  await page.screenshot({ path: testInfo.outputPath('trained.png'), fullPage: true });
});
