import { expect, test } from '@playwright/test';
import { openLab, runState, tinyWith, viewedResults } from './support';

test('pause holds training, resume continues it, cancel stops it and keeps the run; a reload leaves it cancelled', async ({ page }) => {
  await openLab(page, tinyWith({ budget: 'steps:400', evalevery: '10', wd: '0.1' }));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => (await viewedResults(page))?.runs[0]?.status, { timeout: 300_000 }).toBe('pretraining');
  // Another document opened mid-run would take the run's results: import waits for the run.
  await expect(page.getByRole('button', { name: 'Import results JSON' })).toBeDisabled();

  // Pause holds the step count; resume continues; cancel stops and keeps what was done.
  await page.getByRole('button', { name: 'Pause' }).click();
  const step = () => page.evaluate(() => Object.values((window as never as { plasticityLab: { getState: () => { live: Record<string, { progress?: { step: number } }> } } }).plasticityLab.getState().live)[0]?.progress?.step ?? 0);
  // Submits already queued still report; then the count holds (400 steps would take minutes here).
  let paused = -1;
  const settled = async () => {
    const before = await step();
    await page.waitForTimeout(3_000);
    paused = await step();
    return paused === before;
  };
  await expect.poll(settled, { timeout: 120_000, intervals: [0] }).toBe(true);
  await page.waitForTimeout(5_000);
  expect(await step()).toBe(paused);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(step, { timeout: 120_000 }).toBeGreaterThan(paused);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('notice')).toContainText('Cancelled');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  expect((await viewedResults(page))!.runs[0].status).not.toBe('done');

  // A reload does not resume what the user cancelled; the run stays in the browser's saved sweeps, and
  // Delete removes it.
  await page.reload();
  await expect(page.getByTestId('device-panel')).toHaveAttribute('data-status', 'ready');
  const saved = page.getByTestId('saved-sweep');
  await expect(saved).toHaveCount(1);
  await expect(saved).toContainText('0 of 1 runs finished');
  await page.waitForTimeout(2_000);
  expect(await runState(page)).toBe('idle');
  expect(await page.evaluate(() => (window as never as { plasticityLab: { getState: () => { notice?: { message: string } } } }).plasticityLab.getState().notice?.message ?? '')).not.toMatch(/Resuming/);
  page.once('dialog', (dialog) => void dialog.accept());
  await saved.getByRole('button', { name: 'Delete' }).click();
  await expect(saved).toHaveCount(0);
  expect(await viewedResults(page)).toBeUndefined();
});
