import { expect, test } from '@playwright/test';
import { login, waitForHydration, watchConsole } from './helpers';

// Runs before training.spec.ts, where the trainee (JD01-001) passes the
// certifying course and gets the certificate this registration expects.
test('an organizer registers an assistant; a trainee sees the registry with phones masked', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'organizer');
  await page.goto('/registry');
  await waitForHydration(page);
  const form = page.getByTestId('register-form');
  await form.locator('input[name="form[person_code]"]').fill('JD01-001');
  await form.locator('select[name="form[role]"]').selectOption('assistant');
  await form.locator('select[name="form[unit_id]"]').selectOption({ label: '城关街道 (JD01)' });
  await form.locator('input[name="form[phone]"]').fill('13812345678');
  await form.getByRole('button', { name: '登记' }).click();
  const row = page.getByTestId('registry').locator('tr', { hasText: 'JD01-001' });
  await expect(row).toContainText('13812345678');
  await expect(row).toContainText('已登记(未取证)');

  // A village's reporter is refused for a department, naming why.
  await form.locator('input[name="form[person_code]"]').fill('GA-002');
  await form.locator('select[name="form[role]"]').selectOption('reporter');
  await form.locator('select[name="form[unit_id]"]').selectOption({ label: '城关街道 (JD01)' });
  await form.getByRole('button', { name: '登记' }).click();
  await expect(page.getByTestId('register-form').locator('.error')).toContainText('灾情速报员应登记在村或社区');

  await page.context().clearCookies();
  await login(page, 'trainee');
  await page.goto('/registry');
  await waitForHydration(page);
  await expect(page.getByTestId('registry').locator('tr', { hasText: 'JD01-001' })).toContainText('138****5678');
  await expect(page.getByTestId('register-form')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the reporter coverage page names the gaps', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'organizer');
  await page.goto('/registry/coverage');
  await waitForHydration(page);
  await expect(page.getByTestId('coverage').locator('tr', { hasText: '西山街道' })).toContainText('桃园村 0/1');
  await expect(page.getByTestId('gap-count')).toContainText('缺口');
  expect(errors).toEqual([]);
});
