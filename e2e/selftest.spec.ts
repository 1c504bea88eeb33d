import { expect, test } from '@playwright/test';

test('the device panel shows the adapter and the GPU self-test passes', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto('/');

  const panel = page.getByTestId('device-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready');
  const adapterName = await page.getByTestId('adapter-name').getAttribute('data-adapter');
  console.log(`WebGPU adapter in Chromium: ${adapterName}`);
  expect(adapterName?.toLowerCase()).toContain('swiftshader');

  await page.getByRole('button', { name: 'Run self-test' }).click();
  const status = page.getByTestId('selftest-status');
  await expect(status).toHaveAttribute('data-status', /passed|failed|error/, { timeout: 150_000 });
  const verdict = await status.innerText();
  await page.screenshot({ path: testInfo.outputPath('selftest-passed.png'), fullPage: true });
  expect(await status.getAttribute('data-status'), verdict).toBe('passed');
  await expect(page.getByTestId('gpu-faults')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
