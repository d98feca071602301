import { expect, test, Page } from '@playwright/test';
import { asSomeoneElse, login, waitForHydration, watchConsole } from './helpers';

/** "全区: 29 / 32 = 90.6% ..." → [29, 32] */
async function coverage(page: Page): Promise<[number, number]> {
  await page.goto('/drills/coverage');
  await waitForHydration(page);
  const text = (await page.getByTestId('plan-coverage').textContent()) ?? '';
  const m = text.match(/(\d+) \/ (\d+)/);
  expect(m, text).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

test('an organizer drafts a plan with its document, an admin approves it, the organizer files it, and coverage moves', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await login(page, 'organizer');
  const [before, required] = await coverage(page);
  await expect(page.getByTestId('missing')).toContainText('东湖中学');

  await page.goto('/drills/plans/new');
  await waitForHydration(page);
  const form = page.getByTestId('eplan-form');
  await form.locator('select[name="form[unit_id]"]').selectOption({ label: '\u3000东湖中学 (XX04)' });
  await form.locator('select[name="form[kind]"]').selectOption('overall');
  await form.locator('input[name="form[title]"]').fill('东湖中学突发事件总体应急预案');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/drills\/plans\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('plan-status').first()).toHaveText('编制');

  // A file that only calls itself a PDF is refused, naming why; a real
  // one is kept with the draft.
  const upload = page.getByTestId('upload-form');
  await upload.locator('input[type=file]').setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a pdf</html>') });
  await upload.getByRole('button', { name: '上传' }).click();
  await expect(page.getByTestId('upload-error')).toContainText('文件内容与扩展名不符');
  await waitForHydration(page);
  await page.getByTestId('upload-form').locator('input[type=file]').setInputFiles({
    name: '东湖中学预案.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj\nendobj\n%%EOF'),
  });
  await page.getByTestId('upload-form').getByRole('button', { name: '上传' }).click();
  await expect(page.getByTestId('document-link')).toHaveText('东湖中学预案.pdf');
  await waitForHydration(page);

  // The organizer wrote it, so someone else approves it: the admin, at
  // another browser. Approved, its document is fixed.
  await expect(page.getByTestId('own-draft')).toBeVisible();
  await expect(page.getByTestId('step-approve')).toHaveCount(0);
  const planUrl = page.url();
  const admin = await asSomeoneElse(browser, 'admin');
  await admin.goto(planUrl);
  await waitForHydration(admin);
  await expect(admin.getByTestId('own-draft')).toHaveCount(0);
  await admin.getByTestId('step-approve').click();
  await expect(admin.getByTestId('plan-status').first()).toHaveText('审批');
  await expect(admin.getByTestId('upload-form')).toHaveCount(0);
  await admin.context().close();

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('plan-status').first()).toHaveText('审批');
  await expect(page.getByTestId('upload-form')).toHaveCount(0);
  for (const [step, status] of [['publish', '发布'], ['file', '备案']]) {
    // Filing asks first.
    if (step === 'file') await page.getByTestId('confirm-file').locator('summary').click();
    await page.getByTestId(`step-${step}`).click();
    await expect(page.getByTestId('plan-status').first()).toHaveText(status);
  }
  await expect(page.locator('.page-head')).toContainText('有效(第 1 版)');
  const link = await page.getByTestId('document-link').getAttribute('href');
  const doc = await page.request.get(link!);
  expect(doc.status()).toBe(200);
  expect((await doc.body()).toString()).toContain('%PDF-1.4');

  expect(await coverage(page)).toEqual([before + 1, required]);
  await expect(page.getByTestId('missing')).not.toContainText('东湖中学');
  expect(errors).toEqual([]);
});

test('a drill over a training batch is named, saved with a reason, evaluated, and its action goes overdue', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchConsole(page);
  const year = new Date().getFullYear();
  await login(page, 'organizer');
  await page.goto('/drills/new');
  await waitForHydration(page);
  const form = page.getByTestId('drill-form');
  await form.locator('input[name="form[title]"]').fill('城关街道地震应急疏散演练');
  await form.locator('select[name="form[scenario]"]').selectOption('earthquake');
  await form.locator('select[name="form[format]"]').selectOption('full_scale');
  // The demo trainee sits in one of the March rotation batches (10-11 or
  // 17-18 March); the drill runs over both.
  await form.locator('input[name="form[start]"]').fill(`${year}-03-10T09:00`);
  await form.locator('input[name="form[end]"]').fill(`${year}-03-18T17:00`);
  await form.locator('input[name="form[place]"]').fill('城关街道办事处广场');
  await form.locator('select[name="form[organizer_unit_id]"]').selectOption({ label: '城关街道 (JD01)' });
  await form.locator('textarea[name="form[objectives]"]').fill('5 分钟内完成疏散\n信息报告及时准确');
  await form.locator('textarea[name="form[people]"]').fill('JD01-001 JD01-002');
  await form.getByTestId('save-drill').click();

  const clashes = page.getByTestId('clashes');
  await expect(clashes).toContainText('培训冲突');
  await expect(clashes).toContainText('街道应急管理人员轮训');
  await expect(page).toHaveURL(/\/drills\/new$/);
  await page.getByTestId('clash-reason').fill('区里统一安排,培训学员演练后补课');
  await form.getByTestId('save-drill').click();
  await expect(page).toHaveURL(/\/drills\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('kept-reason')).toContainText('培训学员演练后补课');
  const drillUrl = page.url();

  // Held (it is in the past), then rated per objective.
  await page.getByTestId('hold').click();
  await expect(page.getByTestId('drill-status')).toHaveText('已举行');
  const evaluate = page.getByTestId('evaluate-form');
  await evaluate.locator('select[name="rows[0][rating]"]').selectOption('good');
  await evaluate.locator('textarea[name="rows[0][findings]"]').fill('东侧通道拥堵');
  await evaluate.locator('select[name="rows[1][rating]"]').selectOption('excellent');
  await evaluate.getByTestId('evaluate').click();
  await expect(page.getByTestId('drill-status')).toHaveText('已评估');

  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const add = page.getByTestId('add-action');
  await add.locator('input[name="form[description]"]').fill('东侧通道增设疏散引导员');
  await add.locator('select[name="form[owner_unit_id]"]').selectOption({ label: '城关街道 (JD01)' });
  await add.locator('input[name="form[due_on]"]').fill(tomorrow);
  await add.getByRole('button', { name: '添加' }).click();
  await expect(page.getByTestId('actions')).toContainText('东侧通道增设疏散引导员');
  await expect(page.getByTestId('actions')).toContainText('整改中');

  // The owner unit (the trainee belongs to 城关街道) sees it on its list.
  await page.context().clearCookies();
  await login(page, 'trainee');
  await page.goto('/drills/actions');
  await waitForHydration(page);
  const row = page.getByTestId('actions').locator('tr', { hasText: '东侧通道增设疏散引导员' });
  await expect(row).toContainText('整改中');

  // Two days later it is overdue, on the owner's list and the organizer's.
  const moved = await page.request.post('/test/clock', { form: { days: '2' } });
  expect(moved.status()).toBe(200);
  try {
    await page.context().clearCookies();
    await login(page, 'trainee');
    await page.goto('/drills/actions');
    await waitForHydration(page);
    await expect(page.getByTestId('actions').locator('tr', { hasText: '东侧通道增设疏散引导员' })).toContainText('已逾期');
    await page.context().clearCookies();
    await login(page, 'organizer');
    await page.goto('/drills/actions');
    await waitForHydration(page);
    await expect(page.getByTestId('overdue-count')).toContainText('逾期未完成');
    await expect(page.getByTestId('actions').locator('tr.flagged', { hasText: '东侧通道增设疏散引导员' })).toBeVisible();
    await page.goto(drillUrl + '/report');
    await waitForHydration(page);
    await expect(page.getByTestId('report')).toContainText('应急演练总结报告');
    await expect(page.getByTestId('report')).toContainText('东侧通道拥堵');
  } finally {
    await page.request.post('/test/clock', { form: { days: '-2' } });
  }
  expect(errors).toEqual([]);
});

test('the calendar marks 防灾减灾日 and shows drills and training; a phone gets a list', async ({ page }) => {
  const errors = watchConsole(page);
  const year = new Date().getFullYear();
  await login(page, 'organizer');
  await page.goto(`/drills/calendar?at=${year}-05`);
  await waitForHydration(page);
  await expect(page.locator(`[data-day="${year}-05-12"]`)).toContainText('防灾减灾日');
  await page.goto(`/drills/calendar?at=${year}-03`);
  await waitForHydration(page);
  await expect(page.locator(`[data-day="${year}-03-10"]`)).toContainText('街道应急管理人员轮训');
  await page.getByRole('link', { name: '周视图' }).click();
  await expect(page.getByTestId('cal-title')).toContainText(`${year}-03`);
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`/drills/calendar?at=${year}-06`);
  await waitForHydration(page);
  await expect(page.locator(`[data-day="${year}-06-15"]`)).toContainText('安全生产月');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
});
