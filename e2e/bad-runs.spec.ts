// Runs that cannot succeed: one that diverges, and a sweep the runner refuses before training. Each says why
// in the page, loses nothing that was open, and leaves the lab usable.
import { expect, test, type Page } from '@playwright/test';
import { openLab, tinyWith, viewedResults, waitForFinishedRuns } from './support';

const train = (page: Page) => page.getByRole('button', { name: 'Train', exact: true });

test('a diverging run is marked diverged with its reason in words, and Train is ready again', async ({ page }) => {
  // lr 1 with lambda 100 (both the largest the schema allows): decoupled decay multiplies every weight by
  // 1 - lr * lambda = -99 a step, so the weights overflow within the run.
  await openLab(page, tinyWith({ budget: 'steps:40', lr: '1', trainwd: '100' }));
  await train(page).click();
  const [run] = (await waitForFinishedRuns(page, 1)).runs;
  expect(run.status).toBe('diverged');
  expect(run.error).toMatch(/training loss is (NaN|Infinity)|gradient norm is|mean training loss over steps/);
  const row = page.locator('tr[data-run-id="wd100-s0"]');
  await expect(row).toHaveAttribute('data-status', 'diverged');
  await expect(row.locator('td.phase')).toHaveText(`diverged: ${run.error}`);
  await expect(train(page)).toBeEnabled();
});

test('a sweep the runner refuses says what to change and gives back what was open', async ({ page }) => {
  await openLab(page, tinyWith({ trainwd: '0' }));
  await train(page).click();
  await waitForFinishedRuns(page, 1);
  const before = (await viewedResults(page))!;

  // An ADD-R training set smaller than one fine-tuning batch (16): the task picker refuses to type it, a link
  // or an imported setup can still carry it; the runner refuses it after the data loads, before any training.
  await page.evaluate(() => {
    const lab = (window as never as { plasticityLab: { getState: () => { sweep: { tasks: { trainSize: number }[] }; setSweep: (s: unknown) => boolean } } }).plasticityLab;
    const { sweep, setSweep } = lab.getState();
    setSweep({ ...sweep, tasks: sweep.tasks.map((t) => ({ ...t, trainSize: 8 })) });
  });
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  const notice = page.getByTestId('notice');
  await expect(notice).toHaveAttribute('data-kind', 'error');
  await expect(notice).toContainText('tasks.0.trainSize: ADD-R has 8 examples, fewer than one fine-tuning batch (finetune.batch 16)');
  await expect(train(page)).toBeEnabled();
  expect(await viewedResults(page)).toEqual(before); // the finished run is still what is open
  await expect(page.locator('tr[data-run-id="wd0-s0"]')).toHaveAttribute('data-status', 'done');
  // The editor keeps the refused setting, so the user can fix it where it is.
  await expect(page.getByRole('spinbutton', { name: 'ADD-R training examples' })).toHaveValue('8');
});
