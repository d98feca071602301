import { expect, Page, test } from '@playwright/test';
import { PASSWORD } from './helpers';

// One journey per role with JavaScript switched off: every page is drawn
// whole on the server, every form is a plain post that comes back with its
// result or its refusal. (This file runs after the others: it changes the
// demo district a little.)
test.use({ javaScriptEnabled: false });

async function signIn(page: Page, username: string) {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel(/^密码$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^登录$/ }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('h1')).toContainText('您好');
}

async function signOut(page: Page) {
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/units');
  await expect(page).toHaveURL(/\/login$/);
}

test('without JavaScript, a wrong password is refused with the reason', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel(/^密码$/).fill('not-the-password-1');
  await page.getByRole('button', { name: /^登录$/ }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
  await expect(page).toHaveURL(/\/login\?/);
});

test('without JavaScript, an admin adds a unit, is told what was wrong, and signs out', async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/units/new');
  await page.locator('input[name="code"]').fill('JD01');
  await page.locator('input[name="name"]').fill('重复编码的街道');
  await page.getByRole('button', { name: '保存' }).click();
  // Refused (the code is taken): the same form, the reason said.
  await expect(page).toHaveURL(/\/units\/new\?/);
  await expect(page.getByRole('alert')).toBeVisible();
  await page.locator('input[name="code"]').fill('NOJS1');
  await page.locator('input[name="name"]').fill('无脚本街道');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/units(\?|$)/);
  await expect(page.locator('main')).toContainText('无脚本街道');
  await signOut(page);
});

test('without JavaScript, an organizer reads the calendar and the registry and records a leave', async ({ page }) => {
  await signIn(page, 'organizer');
  await page.goto('/drills/calendar');
  await expect(page.locator('main h1')).toBeVisible();
  await page.getByRole('link', { name: '周视图' }).click();
  await expect(page).toHaveURL(/at=\d{4}-\d{2}-\d{2}/);
  await page.goto('/registry');
  await expect(page.locator('main table').first()).toBeVisible();
  await page.goto('/training/leave');
  const form = page.getByTestId('leave-form');
  await form.locator('input[name="person_code"]').fill('JD01-005');
  await form.locator('input[name="start"]').fill('2031-03-01');
  await form.locator('input[name="end"]').fill('2031-03-02');
  await form.locator('input[name="reason"]').fill('无脚本请假');
  await form.getByRole('button').click();
  await expect(page.getByTestId('leave')).toContainText('无脚本请假');
  await signOut(page);
});

test('without JavaScript, an assessor opens the ranking and a sheet, and a wrong score is refused', async ({ page }) => {
  await signIn(page, 'assessor');
  await page.goto('/assessment');
  await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
  const ranking = page.getByTestId('ranking');
  await expect(ranking).toBeVisible();
  await ranking.locator('tr[data-unit] a').first().click();
  await expect(page.getByTestId('headline')).toBeVisible();
  const sheet = page.getByTestId('sheet');
  const first = sheet.locator('input[data-indicator]').first();
  await first.fill('999');
  await sheet.getByRole('button', { name: '保存评分' }).click();
  await expect(page.getByTestId('sheet').getByRole('alert')).toContainText('超过最高分');
  await page.goto('/assessment/vetoes');
  await expect(page.locator('main h1')).toBeVisible();
  await signOut(page);
});

test('without JavaScript, a trainee sees the batches, the calendar and the certificates', async ({ page }) => {
  await signIn(page, 'trainee');
  await page.goto('/my/training');
  await expect(page.getByTestId('my-seats')).toContainText('懂预警、会监测、能上报');
  await expect(page.getByTestId('calendar')).toBeVisible();
  await page.getByTestId('my-seats').getByRole('link', { name: '学习与测验' }).first().click();
  await expect(page.getByTestId('lesson').first()).toContainText('预警级别');
  await page.goto('/my/training');
  const certs = page.getByTestId('my-certificates');
  await certs.locator('a').first().click();
  await expect(page.getByTestId('cert-number')).toHaveText(/YJ-\d{4}-\d{6}/);
  await signOut(page);
});

test('without JavaScript, a unit files an incident from the field, is told what was wrong, and closes it', async ({ page }) => {
  await signIn(page, 'trainee');
  await page.goto('/duty/incidents');
  const local = (minutes: number) => new Date(Date.now() + 8 * 3600_000 + minutes * 60_000).toISOString().slice(0, 16);
  const fileFirst = async (occurred: string) => {
    const form = page.getByTestId('first-report');
    await form.locator('select[name="level"]').selectOption('general');
    await form.locator('input[name="occurred_at"]').fill(occurred);
    await form.locator('input[name="title"]').fill('河道水位上涨');
    await form.locator('input[name="place"]').fill('城关街道西关村');
    await form.locator('textarea[name="measures"]').fill('已组织沿河群众转移');
    await form.getByRole('button', { name: '提交首报' }).click();
  };
  // Three hours ahead: refused, the field named.
  await fileFirst(local(180));
  await expect(page.getByRole('alert')).toContainText('发生时间');
  await fileFirst(local(-20));
  await expect(page).toHaveURL(/\/duty\/incidents\/\d+$/);
  await expect(page.getByTestId('timeline-report')).toHaveCount(1);
  await expect(page.getByTestId('first-late')).toHaveCount(0);
  const follow = page.getByTestId('follow-form');
  await follow.locator('select[name="stage"]').selectOption('final');
  await follow.locator('textarea[name="text"]').fill('水位回落,转移群众已返回');
  await follow.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByTestId('timeline-report')).toHaveCount(2);
  await expect(page.getByTestId('incident-state')).toHaveText('已终报');
  await expect(page.getByTestId('follow-form')).toHaveCount(0);
});
