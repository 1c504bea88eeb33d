import { expect, test } from '@playwright/test';
import { openLab, TINY, viewedResults, waitForFinishedRuns } from './support';

test('a reload in the middle of a sweep keeps finished runs and the sweep resumes and completes', async ({ page }) => {
  await openLab(page, `${TINY}&wd=0,0.3,1`);
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  await waitForFinishedRuns(page, 1);
  const finished = (await viewedResults(page))!.runs.filter((r) => r.status === 'done').map((r) => r.id);

  await page.reload();
  await expect(page.getByTestId('device-panel')).toHaveAttribute('data-status', 'ready');
  await expect.poll(async () => (await viewedResults(page))?.runs.filter((r) => finished.includes(r.id) && r.status === 'done').length).toBe(finished.length);
  const results = await waitForFinishedRuns(page, 3);
  expect(results.runs.every((r) => r.status === 'done')).toBe(true);
});
