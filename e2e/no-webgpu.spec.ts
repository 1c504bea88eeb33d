import { expect, test } from '@playwright/test';

test('without navigator.gpu the page explains what to do in each browser', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  const help = page.getByTestId('webgpu-help');
  await expect(help).toBeVisible();
  await expect(help).toContainText('navigator.gpu is missing');
  for (const browser of ['Chrome', 'Edge', 'Firefox', 'Safari']) await expect(help).toContainText(`${browser}:`);
  await expect(page.getByRole('button', { name: 'Run self-test' })).toBeDisabled();
});
