import { expect, test } from '@playwright/test';

const VALID = '/?v=1&preset=tiny&wd=0,1&seeds=0';
const MALFORMED: [string, string][] = [
  ['wrong version', '/?v=99&preset=tiny'],
  ['version not a number', '/?v=one&preset=tiny'],
  ['unknown preset', '/?v=1&preset=giant'],
  ['negative weight decay', '/?v=1&wd=-1'],
  ['weight decay not a number', '/?v=1&wd=abc'],
  ['weight decay hex', '/?v=1&wd=0x10'],
  ['duplicate lambdas', '/?v=1&wd=1,1'],
  ['empty lambda list', '/?v=1&wd='],
  ['seed not an integer', '/?v=1&seeds=1.5'],
  ['seed too large', '/?v=1&seeds=99999999999'],
  ['unknown decay group', '/?v=1&dg=some'],
  ['bad budget', '/?v=1&budget=tpp'],
  ['budget kind unknown', '/?v=1&budget=epochs:3'],
  ['unknown task', '/?v=1&tasks=CHESS'],
  ['task size not a number', '/?v=1&tasks=ADD-R:many:10'],
  ['fine-tuning lr zero', '/?v=1&ftlr=0'],
  ['fine-tuning lr Infinity', '/?v=1&ftlr=Infinity'],
  ['results not base64', `${VALID}#r=%%%not-base64%%%`],
  ['results truncated', `${VALID}#r=eJyrVkrLz1eyUkpKLFKqBQAdegQ`],
  ['results not deflate', `${VALID}#r=aGVsbG8gd29ybGQ`],
  ['results huge', `${VALID}#r=${'A'.repeat(1_200_000)}`],
  ['results with an unknown version', `${VALID}#r=v9.AAAA`],
];

test('malformed share URLs show a clear message and the page stays usable', async ({ page }) => {
  test.setTimeout(300_000);
  expect(MALFORMED.length).toBeGreaterThanOrEqual(20);
  for (const [what, url] of MALFORMED) {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await expect(page.getByTestId('notice'), what).toHaveAttribute('data-kind', 'error');
    await expect(page.getByTestId('notice'), what).not.toBeEmpty();
    // Usable: the defaults are in the controls and editing them works.
    const exact = page.getByRole('spinbutton', { name: 'Weight decay λ' });
    await exact.fill('0.5');
    await exact.press('Enter');
    await expect(exact, what).toHaveValue('0.5');
    expect(errors, what).toEqual([]);
    page.removeAllListeners('pageerror');
  }
});
