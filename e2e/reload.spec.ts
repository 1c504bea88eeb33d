import { expect, test } from '@playwright/test';
import { openLab, runState, TINY, viewedResults, waitForFinishedRuns } from './support';

test('a reload in the middle of a sweep keeps finished runs and the sweep resumes and completes; a second tab leaves it alone', async ({ page }) => {
  await openLab(page, `${TINY}&wd=0,0.3,1`);
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  await waitForFinishedRuns(page, 1);
  const finished = (await viewedResults(page))!.runs.filter((r) => r.status === 'done').map((r) => r.id);

  // A second tab finds the same unfinished sweep in storage: it must neither resume it nor train beside it.
  // (Paused meanwhile, so the sweep cannot finish first; the paused runner still holds the training lock.)
  await page.getByRole('button', { name: 'Pause' }).click();
  const second = await page.context().newPage();
  await openLab(second, TINY);
  await expect(second.getByText('is not resumed here: another tab of this lab is training')).toBeVisible();
  expect(await runState(second)).toBe('idle');
  // Train and Sweep say why they are off before anyone presses them.
  await expect(second.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(second.getByTestId('run-hint')).toContainText('Another tab of this lab is training.');
  await second.close();

  await page.reload();
  await expect(page.getByTestId('device-panel')).toHaveAttribute('data-status', 'ready');
  await expect.poll(async () => (await viewedResults(page))?.runs.filter((r) => finished.includes(r.id) && r.status === 'done').length).toBe(finished.length);
  const results = await waitForFinishedRuns(page, 3);
  expect(results.runs.every((r) => r.status === 'done')).toBe(true);
  // "Resuming ... from its last checkpoint" gives way to the end's announcement.
  await expect(page.getByTestId('notice')).toContainText('Finished: 3 runs of');
});
