import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { login, waitForHydration, watchConsole } from './helpers';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

// Runs before training.spec.ts, where the trainee (JD01-001) passes the
// certifying course and gets the certificate this registration expects.
test('an organizer registers an assistant; a trainee sees the registry with phones masked', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'organizer');
  await page.goto('/registry');
  await waitForHydration(page);
  // The form sits above the list, folded away.
  await page.getByTestId('register-details').locator('summary').click();
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

test('an organizer imports the registry from a file, whole or not at all, and the export is on record', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'organizer');
  const upload = async (file: string) => {
    await page.goto('/import');
    const card = page.getByTestId('upload-registry');
    await card.locator('input[type=file]').setInputFiles(fixture(file));
    await card.getByRole('button', { name: '上传并预览' }).click();
    await expect(page.locator('h1')).toHaveText('导入预览');
  };

  // GBK, one good row and two bad: each named, nothing imported.
  await upload('registry-bad-row-gbk.csv');
  await expect(page.getByTestId('import-sample')).toContainText('孙立新');
  const problems = page.getByTestId('import-errors');
  await expect(problems).toContainText('发现 2 处问题');
  await expect(problems.locator('tbody tr').nth(0).locator('td').first()).toHaveText('3');
  await expect(problems.locator('tbody tr').nth(0)).toContainText('没有编号为 JD04-V5-102 的人员;如需新建,请同时填写姓名');
  await expect(problems.locator('tbody tr').nth(1).locator('td').first()).toHaveText('4');
  await expect(problems.locator('tbody tr').nth(1)).toContainText('防震减灾助理员应登记在街道');
  await expect(page.getByTestId('import-confirm')).toHaveCount(0);

  // The good file: a new reporter for 桃园村, created with the entry.
  await upload('registry.csv');
  await waitForHydration(page);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 1 条记录');
  // The registry is paged; the search finds the new entry.
  await page.goto('/registry');
  await waitForHydration(page);
  await page.getByTestId('registry-search').fill('JD04-V5-101');
  await page.getByTestId('registry-search').press('Enter');
  await expect(page.getByTestId('registry-shown')).toContainText('共 1 人');
  const row = page.getByTestId('registry').locator('tr', { hasText: 'JD04-V5-101' });
  await expect(row).toContainText('孙立新');
  await expect(row).toContainText('13700001234');
  await expect(row).toContainText('2026-03-01');

  // A person's page links here with their number filled in.
  await page.goto('/registry?person=JD04-V5-101#register');
  await waitForHydration(page);
  await expect(page.getByTestId('register-form').locator('input[name="form[person_code]"]')).toHaveValue('JD04-V5-101');

  // The export downloads the registry with the phones the organizer may see.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '导出 CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('yingji-registry.csv');
  const text = fs.readFileSync(await download.path(), 'utf8');
  expect(text).toContain('JD04-V5-101,孙立新,灾情速报员,桃园村,13700001234,2026-03-01');

  await page.context().clearCookies();
  await login(page, 'admin');
  await page.goto('/admin/audit?entity=registry');
  // The action shows translated (导出助理员名册); its code is the cell's title.
  const exported = page
    .getByTestId('audit')
    .locator('tr', { has: page.locator('td[title="export.registry"]') })
    .first();
  await expect(exported).toContainText('organizer');
  expect(errors).toEqual([]);
});
