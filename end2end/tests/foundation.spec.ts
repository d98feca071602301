import { expect, Page, test } from '@playwright/test';
import path from 'node:path';
import { login, PASSWORD, waitForHydration, watchConsole } from './helpers';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

/** Signs in as the admin and sends a people file to the preview, as a person would. */
async function uploadPeopleAsAdmin(page: Page, file: string) {
  await login(page, 'admin');
  await page.goto('/import');
  const card = page.getByTestId('upload-people');
  await card.locator('input[type=file]').setInputFiles(fixture(file));
  await card.getByRole('button', { name: '上传并预览' }).click();
}

// What each role sees in the navigation, and what it must not see.
const NAV: Record<string, { sees: string[]; not: string[] }> = {
  admin: { sees: ['首页', '单位', '人员', '导入', '年度考核', '账号', '审计日志'], not: [] },
  assessor: { sees: ['首页', '单位', '人员', '导入', '年度考核'], not: ['账号', '审计日志'] },
  organizer: { sees: ['首页', '单位', '人员', '导入', '年度考核'], not: ['账号', '审计日志'] },
  trainee: { sees: ['首页', '单位', '我的账号'], not: ['人员', '导入', '年度考核', '账号', '审计日志'] },
};

for (const [role, nav] of Object.entries(NAV)) {
  test(`${role} signs in and sees the navigation of that role`, async ({ page }) => {
    const errors = watchConsole(page);
    await login(page, role);
    const menu = page.locator('nav.main-nav');
    for (const item of nav.sees) {
      await expect(menu.getByRole('link', { name: item, exact: true })).toBeVisible();
    }
    for (const item of nav.not) {
      await expect(menu.getByRole('link', { name: item, exact: true })).toHaveCount(0);
    }
    expect(errors, errors.join('\n')).toEqual([]);
  });
}

test('a wrong password is refused with a message, without leaving the page', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel(/^密码$/).fill('not-the-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
  await expect(page).toHaveURL(/\/login$/);
});

test('the language switch turns the UI to English and is remembered', async ({ page }) => {
  await login(page, 'organizer');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('nav.main-nav').getByRole('link', { name: 'Units', exact: true })).toBeVisible();
  await page.goto('/units');
  await expect(page.locator('h1')).toHaveText('Units');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('h1')).toHaveText('单位');
});

test('a people CSV in GBK is previewed with the names right, then imported', async ({ page }) => {
  await uploadPeopleAsAdmin(page, 'people-gbk.csv');
  await expect(page.locator('h1')).toHaveText('导入预览');
  const sample = page.getByTestId('import-sample');
  await expect(sample).toContainText('欧阳建华');
  await expect(sample).toContainText('司马秀英');
  await expect(sample).toContainText('诸葛文昌');
  await waitForHydration(page);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 3 条记录');
  await page.goto('/people?q=' + encodeURIComponent('欧阳'));
  await expect(page.getByTestId('people')).toContainText('欧阳建华');
  await expect(page.getByTestId('people')).toContainText('城关街道');
});

test('a file with a bad row shows the row-level errors and imports nothing', async ({ page }) => {
  await uploadPeopleAsAdmin(page, 'people-bad-row.csv');
  const problems = page.getByTestId('import-errors');
  await expect(problems).toContainText('发现 2 处问题');
  const rows = problems.locator('tbody tr');
  await expect(rows.nth(0)).toContainText('3');
  await expect(rows.nth(0)).toContainText('单位编码');
  await expect(rows.nth(0)).toContainText('单位编码“NOPE”不存在');
  await expect(rows.nth(1)).toContainText('4');
  await expect(rows.nth(1)).toContainText('未知的岗位“厨师”');
  await expect(page.getByTestId('import-confirm')).toHaveCount(0);
  await page.goto('/people?q=' + encodeURIComponent('公孙明'));
  await expect(page.getByTestId('people').locator('tbody tr')).toHaveCount(0);
});

test('a trainee calling an admin server function gets 403', async ({ page }) => {
  await login(page, 'trainee');
  const res = await page.request.post('/api/list_accounts', { form: {} });
  expect(res.status()).toBe(403);
  const signedOut = await page.request.post('/api/list_accounts', { form: {}, headers: { cookie: '' } });
  expect([401, 403]).toContain(signedOut.status());
});

test('the menu folds away on a phone and opens with the button', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await login(page, 'organizer');
  const people = page.locator('nav.main-nav').getByRole('link', { name: '人员', exact: true });
  await expect(people).toBeHidden();
  await page.locator('label.nav-burger').click();
  await expect(people).toBeVisible();
  await people.click();
  await expect(page.locator('h1')).toHaveText('人员');
});

test('signing out ends the session', async ({ page }) => {
  await login(page, 'assessor');
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/people');
  await expect(page).toHaveURL(/\/login$/);
  expect(PASSWORD.length).toBeGreaterThan(9);
});
