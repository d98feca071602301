import { expect, test } from '@playwright/test';
import { login, waitForHydration, watchConsole } from './helpers';

test('an organizer schedules a duty desk across three batches without leaving it short', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await login(page, 'organizer');
  await page.goto('/training/plans/new');
  await waitForHydration(page);
  const form = page.getByTestId('plan-form');
  const year = await form.locator('input[name="form[year]"]').inputValue();
  await form.locator('input[name="form[code]"]').fill(`GA-${year}`);
  await form.locator('input[name="form[name]"]').fill(`${year} 年公安分局应急轮训`);
  await form.locator('select[name="form[course_id]"]').selectOption({ label: '懂预警、会监测、能上报 (YJ-01)' });
  await form.locator('select[name="form[unit_id]"]').selectOption({ label: '公安分局 (GA)' });
  await form.locator('input[name="form[positions][em_staff]"]').check();
  const rows = [
    ['G1', `${year}-12-01`, `${year}-12-02`],
    ['G2', `${year}-12-08`, `${year}-12-09`],
    ['G3', `${year}-12-15`, `${year}-12-16`],
  ];
  for (const [i, [code, start, end]] of rows.entries()) {
    await form.locator(`input[name="form[batches][${i}][code]"]`).fill(code);
    await form.locator(`input[name="form[batches][${i}][start]"]`).fill(start);
    await form.locator(`input[name="form[batches][${i}][end]"]`).fill(end);
    await form.locator(`input[name="form[batches][${i}][place]"]`).fill('公安分局会议室');
    await form.locator(`input[name="form[batches][${i}][capacity]"]`).fill('10');
  }
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/training\/plans\/\d+$/);
  await waitForHydration(page);

  await page.getByTestId('run-scheduler').click();
  // 公安分局 keeps 8 of its staff at post, so its 13 emergency staff
  // cannot all go at once: they are spread over the batches, and no batch
  // takes more than the page says the unit can spare.
  await expect(page.getByTestId('scheduled')).toContainText('已排 13 人');
  const batches = page.getByTestId('batch');
  await expect(batches).toHaveCount(3);
  // The roster reloads after the run: wait until it shows 公安分局 placed.
  await expect
    .poll(async () => (await page.getByTestId('unit-counts').allTextContents()).filter((t) => t.includes('公安分局')).length)
    .toBeGreaterThanOrEqual(2);
  let used = 0;
  for (let i = 0; i < 3; i++) {
    const counts = (await batches.nth(i).getByTestId('unit-counts').textContent()) ?? '';
    const m = counts.match(/公安分局 (\d+) 人\(至多 (\d+)\)/);
    if (!m) continue;
    used += 1;
    expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
    expect(Number(m[2])).toBeLessThan(13);
  }
  expect(used).toBeGreaterThanOrEqual(2);

  await page.getByTestId('confirm-publish').locator('summary').click();
  await page.getByTestId('publish').click();
  await expect(page.locator('.badge.done')).toContainText('已发布');
  expect(errors).toEqual([]);
});

test('a trainee studies, fails the quiz once, passes it and sees the completion', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await login(page, 'trainee');
  await page.goto('/my/training');
  await waitForHydration(page);
  const seats = page.getByTestId('my-seats');
  await expect(seats).toContainText('懂预警、会监测、能上报');
  await expect(page.getByTestId('notices')).toContainText('名单已发布');
  await expect(page.getByTestId('calendar')).toBeVisible();
  await seats.getByRole('link', { name: '学习与测验' }).first().click();
  await waitForHydration(page);
  await expect(page.getByTestId('lesson').first()).toContainText('预警级别');
  await expect(page.getByTestId('completion')).toContainText('测验合格后结业');

  const quiz = page.getByTestId('quiz-form');
  await quiz.getByLabel('2 小时内').check();
  await quiz.getByLabel('及时报告').check();
  await quiz.getByLabel('11 月 9 日').check();
  await quiz.getByRole('button', { name: '交卷' }).click();
  await expect(page.getByTestId('quiz-result')).toContainText('不合格');
  await expect(page.getByTestId('attempts').locator('li')).toHaveCount(1);

  // The last attempt's ticks may still be there: set every box.
  await quiz.getByLabel('及时报告').setChecked(false);
  await quiz.getByLabel('30 分钟内').check();
  for (const c of ['迟报', '谎报', '瞒报']) await quiz.getByLabel(c).check();
  await quiz.getByLabel('5 月 12 日').check();
  await quiz.getByRole('button', { name: '交卷' }).click();
  await expect(page.getByTestId('quiz-result')).toContainText('合格:答对 3/3');
  await expect(page.getByTestId('completion')).toContainText('结业');
  await expect(page.getByTestId('quiz-form')).toHaveCount(0);

  await page.goto('/my/training');
  await expect(page.getByTestId('seat-result').first()).toContainText('结业');

  // The course certifies: the certificate has its number, prints with a
  // QR code, and anyone can check it, signed out, until it expires.
  const certs = page.getByTestId('my-certificates');
  await expect(certs).toContainText(/YJ-\d{4}-\d{6}/);
  const number = ((await certs.locator('a').first().textContent()) ?? '').trim();
  await certs.locator('a').first().click();
  await expect(page.getByTestId('cert-number')).toHaveText(number);
  await expect(page.locator('.qr svg')).toBeVisible();
  await page.context().clearCookies();
  await page.goto(`/verify/${number}`);
  await expect(page.getByTestId('verdict')).toContainText('今日有效');
  await expect(page.getByTestId('masked-name')).toHaveText(/^.\*+.?$/);
  const moved = await page.request.post('/test/clock', { form: { days: '760' } });
  expect(moved.status()).toBe(200);
  try {
    await page.goto(`/verify/${number}`);
    await expect(page.getByTestId('verdict')).toContainText('今日无效');
    await expect(page.getByTestId('verdict')).toContainText('已过期');
  } finally {
    await page.request.post('/test/clock', { form: { days: '-760' } });
  }
  expect(errors).toEqual([]);
});

test('an enterprise worker shows 不准上岗 until passing the safety course', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const organizer = await (await browser.newContext({ baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3900', locale: 'zh-CN' })).newPage();
  await login(organizer, 'organizer');
  await organizer.goto('/people?q=QY01-002');
  await expect(organizer.getByTestId('people').getByTestId('not-cleared')).toHaveCount(1);

  await login(page, 'worker');
  await page.goto('/my/training');
  await waitForHydration(page);
  await expect(page.getByTestId('clearance')).toHaveText('不准上岗');
  await page.getByTestId('my-seats').getByRole('link', { name: '学习与测验' }).click();
  await waitForHydration(page);
  const quiz = page.getByTestId('quiz-form');
  await quiz.getByLabel('不可以').check();
  await quiz.getByLabel('报告并撤离').check();
  await quiz.getByRole('button', { name: '交卷' }).click();
  await expect(page.getByTestId('quiz-result')).toContainText('合格');
  await page.goto('/my/training');
  await expect(page.getByTestId('clearance')).toHaveText('准许上岗');

  await organizer.goto('/people?q=QY01-002');
  await expect(organizer.getByTestId('people')).toContainText('QY01-002');
  await expect(organizer.getByTestId('people').getByTestId('not-cleared')).toHaveCount(0);
  expect(errors).toEqual([]);
});
