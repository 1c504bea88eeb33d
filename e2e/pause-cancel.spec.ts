import { expect, test } from '@playwright/test';
import { openLab, TINY, viewedResults } from './support';

test('pause holds training, resume continues it, cancel stops it and keeps the run', async ({ page }) => {
  await openLab(page, `${TINY}&budget=steps:60&evalevery=10&wd=0.1`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => (await viewedResults(page))?.runs[0]?.status, { timeout: 300_000 }).toBe('pretraining');

  // Pause holds the step count; resume continues; cancel stops and keeps what was done.
  await page.getByRole('button', { name: 'Pause' }).click();
  const step = () => page.evaluate(() => Object.values((window as never as { plasticityLab: { getState: () => { live: Record<string, { progress?: { step: number } }> } } }).plasticityLab.getState().live)[0]?.progress?.step ?? 0);
  await page.waitForTimeout(3_000); // a chunk already queued may still report
  const paused = await step();
  await page.waitForTimeout(5_000);
  expect(await step()).toBe(paused);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(step, { timeout: 120_000 }).toBeGreaterThan(paused);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('notice')).toContainText('Cancelled');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  expect((await viewedResults(page))!.runs[0].status).not.toBe('done');
});
