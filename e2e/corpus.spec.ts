import { expect, test } from '@playwright/test';

test('the corpus loads with progress, is verified, and comes from the cache after a reload', async ({ page }) => {
  await page.goto('/');
  const panel = page.getByTestId('corpus-panel');
  await page.getByRole('button', { name: 'Load corpus now' }).click();
  await expect(panel).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('corpus-ready')).toContainText('train');
  await expect(page.getByTestId('corpus-ready')).toHaveAttribute('data-from-cache', 'false');

  await page.reload();
  const downloads: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.bin')) downloads.push(request.url());
  });
  await page.getByRole('button', { name: 'Load corpus now' }).click();
  await expect(panel).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('corpus-ready')).toHaveAttribute('data-from-cache', 'true');
  expect(downloads).toEqual([]);
});
