import { expect, test } from '@playwright/test';
import { openLab, tinyWith, viewedResults, waitForFinishedRuns } from './support';

test('a lost GPU device is recovered: new device, last checkpoint, run completed, event recorded', async ({ page }) => {
  await openLab(page, tinyWith({ budget: 'steps:40', wd: '0.1' }));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => (await viewedResults(page))?.runs[0]?.status, { timeout: 300_000 }).toBe('pretraining');
  await page.evaluate(() => (window as unknown as { plasticityLab: { getState: () => { simulateDeviceLoss: () => void } } }).plasticityLab.getState().simulateDeviceLoss());
  await expect(page.getByTestId('notice')).toContainText('recovered');
  const results = await waitForFinishedRuns(page, 1);
  const run = results.runs[0];
  expect(run.status).toBe('done');
  expect(run.events.map((e) => e.kind)).toContain('device-lost');
});
