import { expect, test } from '@playwright/test';
import { asSomeoneElse, login, waitForHydration, watchConsole } from './helpers';

/** A day `offset` days from today, as a date input takes it (the district's calendar, UTC+8). */
function day(offset: number): string {
  const t = new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000);
  return t.toISOString().slice(0, 10);
}

test('an organizer generates a roster, sees its gaps named, and publishes it', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'organizer');
  await page.goto('/duty/rosters');
  await waitForHydration(page);
  const form = page.getByTestId('generate');
  await form.locator('select[name="unit"]').selectOption({ label: '城关街道' });
  // After the demo's roster of this month, so that it can be published.
  await form.locator('input[name="first_day"]').fill(day(40));
  await form.locator('input[name="last_day"]').fill(day(53));
  await form.getByRole('button', { name: '生成值班表' }).click();
  await expect(page).toHaveURL(/\/duty\/rosters\/\d+$/);
  await expect(page.getByTestId('roster-status')).toHaveText('草稿');
  await expect(page.getByTestId('roster-day')).toHaveCount(14);
  // One leader, a rest day between duties: every other day is a gap, with why.
  await expect(page.getByTestId('day-gap').first()).toContainText('带班领导缺 1 人');
  await expect(page.getByTestId('day-gap').first()).toContainText('值班后休息');
  await page.getByTestId('publish-roster').click();
  await expect(page.getByTestId('roster-status')).toHaveText('已发布');

  // A roster over the same days again is a draft that cannot be published.
  await page.goto('/duty/rosters');
  await waitForHydration(page);
  await form.locator('select[name="unit"]').selectOption({ label: '城关街道' });
  await form.locator('input[name="first_day"]').fill(day(50));
  await form.locator('input[name="last_day"]').fill(day(60));
  await form.getByRole('button', { name: '生成值班表' }).click();
  await expect(page).toHaveURL(/\/duty\/rosters\/\d+$/);
  await page.getByTestId('publish-roster').click();
  await expect(page.getByRole('alert').filter({ hasText: '与已发布的值班表' })).toBeVisible();
  await expect(page.getByTestId('roster-status')).toHaveText('草稿');
  expect(errors).toEqual([]);
});

test('the duty board shows who is on duty today, on a phone too', async ({ page }) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'assessor');
  await page.goto('/duty');
  await waitForHydration(page);
  const unit = page.getByTestId('board-unit').filter({ hasText: '城关街道' });
  await expect(unit).toContainText('值班人员');
  await expect(unit.getByTestId('duty-phone').first()).toHaveAttribute('href', /^tel:\d+$/);
  // Nothing is wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('a failed duty check becomes a duty absence on the unit sheet, linked to the check', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'assessor');
  await page.goto('/duty/checks');
  await waitForHydration(page);
  const form = page.getByTestId('check-form');
  await form.locator('select[name="unit"]').selectOption({ label: '南河街道' });
  await form.locator('input[name="called"]').fill('010-6012 3456');
  await form.locator('input[name="answered"][value="no"]').check();
  await form.locator('input[name="note"]').fill('夜间抽查无人接听');
  await form.getByRole('button', { name: '记录督导检查' }).click();
  await expect(page.getByTestId('check-recorded')).toContainText('已计入该单位当年考核的值班脱岗');
  await expect(page.getByTestId('check-row').first()).toContainText('未通过');

  // The unit's sheet this year lists the event, with the check as its source.
  await page.goto('/assessment');
  await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
  await page.getByTestId('ranking').locator('tr[data-unit="JD05"] a').first().click();
  const sheet = page.url();
  const event = page.getByTestId('events').locator('li', { hasText: '无人接听' });
  await expect(event).toHaveCount(1);
  await event.getByRole('link', { name: /值班督导检查/ }).click();
  await expect(page).toHaveURL(/\/duty\/checks\/\d+$/);
  await expect(page.getByTestId('check-result')).toHaveText('未通过');

  // Recorded by mistake: voided with a reason, the event leaves the sheet.
  await waitForHydration(page);
  const voiding = page.getByTestId('void-form');
  await voiding.locator('input[name="reason"]').fill('拨错号码，实为南河村');
  await voiding.getByRole('button', { name: '作废本次检查' }).click();
  await expect(page.getByTestId('check-result')).toHaveText('已作废');
  await expect(page.getByTestId('check-voided')).toContainText('拨错号码');
  await expect(page.getByTestId('void-form')).toHaveCount(0);
  await page.goto(sheet);
  await expect(page.getByTestId('events').locator('li', { hasText: '无人接听' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('two people of the office swap duties; a third approves', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  // The organizer and the assessor both stand duty at the emergency office.
  await login(page, 'organizer');
  await page.goto('/duty/rosters');
  await page.getByTestId('roster-row').filter({ hasText: '区应急管理办公室' }).getByRole('link').click();
  await waitForHydration(page);
  const organizerName = await page.getByTestId('my-duty').first().getAttribute('data-person');
  expect(organizerName).toBeTruthy();
  const rosterUrl = page.url();

  const assessor = await asSomeoneElse(browser, 'assessor');
  await assessor.goto(rosterUrl);
  await waitForHydration(assessor);
  // Ask with one of the assessor's duties for one of the organizer's; a
  // pair the rest rule forbids is refused with the reason, so try the next.
  let asked = false;
  const duties = assessor.getByTestId('my-duty');
  const count = await duties.count();
  for (let i = 0; i < count && !asked; i++) {
    const options = await duties.nth(i).locator('select[name="theirs"] option').evaluateAll(
      (os, name) => os.filter((o) => o.textContent?.includes(name as string)).map((o) => (o as HTMLOptionElement).value),
      organizerName,
    );
    for (const value of options) {
      await duties.nth(i).locator('select[name="theirs"]').selectOption(value);
      await duties.nth(i).getByRole('button', { name: '申请换班' }).click();
      const outcome = await Promise.race([
        assessor.getByTestId('swaps').waitFor().then(() => 'asked'),
        assessor.getByTestId('my-duties').locator('.error').waitFor().then(() => 'refused'),
      ]);
      if (outcome === 'asked') {
        asked = true;
        break;
      }
    }
  }
  expect(asked).toBe(true);
  await expect(assessor.getByTestId('swap-status').first()).toHaveText('待对方同意');

  // The organizer agrees, but may not approve a swap of their own.
  await page.reload();
  await waitForHydration(page);
  await page.getByTestId('swap-accept').first().click();
  await expect(page.getByTestId('swap-status').first()).toHaveText('待组织者批准');
  await expect(page.getByTestId('swap-approve')).toHaveCount(0);

  // The admin, neither of the two, approves.
  await page.context().clearCookies();
  await login(page, 'admin');
  await page.goto(rosterUrl);
  await waitForHydration(page);
  await page.getByTestId('swap-approve').first().click();
  await expect(page.getByTestId('swap-status').first()).toHaveText('已批准');
  await assessor.close();
  expect(errors).toEqual([]);
});

test('an approved absence takes a leader off the next roster', async ({ page }) => {
  const errors = watchConsole(page);
  // The demo's trainee is 城关街道's leader.
  await login(page, 'trainee');
  await page.goto('/duty/absences');
  await waitForHydration(page);
  const form = page.getByTestId('absence-form');
  await form.locator('input[name="first_day"]').fill(day(70));
  await form.locator('input[name="last_day"]').fill(day(72));
  await form.locator('input[name="destination"]').fill('省应急管理厅');
  await form.locator('input[name="deputy"]').fill('副主任');
  await form.locator('input[name="reason"]').fill('参加业务培训');
  await form.getByRole('button', { name: '提交外出报备' }).click();
  await expect(page.getByTestId('absence').first()).toContainText('待审批');
  await expect(page.getByTestId('absence-approve')).toHaveCount(0);

  await page.context().clearCookies();
  await login(page, 'organizer');
  await page.goto('/duty/absences');
  await waitForHydration(page);
  await page.getByTestId('absence-approve').first().click();
  await expect(page.getByTestId('absence-status').first()).toHaveText('已批准');

  await page.goto('/duty/rosters');
  await waitForHydration(page);
  const gen = page.getByTestId('generate');
  await gen.locator('select[name="unit"]').selectOption({ label: '城关街道' });
  await gen.locator('input[name="first_day"]').fill(day(68));
  await gen.locator('input[name="last_day"]').fill(day(74));
  await gen.getByRole('button', { name: '生成值班表' }).click();
  await expect(page).toHaveURL(/\/duty\/rosters\/\d+$/);
  for (const offset of [70, 71, 72]) {
    const row = page.locator(`[data-test="roster-day"][data-date="${day(offset)}"]`);
    await expect(row.getByTestId('day-leaders')).toHaveText('');
    await expect(row.getByTestId('day-gap')).toContainText('请假、培训或演练');
  }
  expect(errors).toEqual([]);
});

test('a unit files its zero report; a day missed is an event on its sheet the next day until the office excuses it', async ({ page }) => {
  const errors = watchConsole(page);
  // Three days ahead at 09:00, before the 16:00 deadline: a day no earlier
  // spec's move of the clock has settled (the drills spec's two days settle
  // the days they pass), at an hour that does not depend on when this runs.
  const ahead = await page.request.post('/test/clock', { form: { days: '3', at: '09:00' } });
  expect(ahead.status()).toBe(200);
  try {
    const today = day(3);
    // The demo trainee stands duty in 城关街道, which has not reported today.
    await login(page, 'trainee');
    await page.goto('/duty/reports');
    await waitForHydration(page);
    await expect(page.getByTestId('my-report')).toContainText('城关街道');
    await page.getByTestId('file-zero').click();
    await expect(page.getByTestId('my-report-filed')).toContainText('零报告');
    await expect(page.getByTestId('file-zero')).toHaveCount(0);

    // The office's board has it; 新城街道 has not reported.
    await page.context().clearCookies();
    await login(page, 'assessor');
    await page.goto('/duty/reports');
    await waitForHydration(page);
    await expect(page.getByTestId('report-line').filter({ hasText: '城关街道' }).getByTestId('report-state')).toHaveText('已报');
    await expect(page.getByTestId('report-line').filter({ hasText: '新城街道' }).getByTestId('report-state')).toHaveText('待报');

    // The next day, today is settled: 新城街道's missed day is an event.
    const next = await page.request.post('/test/clock', { form: { days: '1', at: '09:00' } });
    expect(next.status()).toBe(200);
    await page.context().clearCookies();
    await login(page, 'assessor');
    await page.goto('/duty/reports');
    await waitForHydration(page);
    const miss = page.getByTestId('miss').filter({ hasText: `${today} 新城街道 未报日报告` });
    await expect(miss.getByTestId('miss-event')).toBeVisible();
    // 城关街道 filed before the deadline: never missing.
    await expect(page.getByTestId('miss').filter({ hasText: `${today} 城关街道 未报日报告` })).toHaveCount(0);

    // The unit's sheet lists the event, with the missed day as its source.
    await page.goto('/assessment');
    await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
    await page.getByTestId('ranking').locator('tr[data-unit="JD02"] a').first().click();
    const sheet = page.url();
    const event = page.getByTestId('events').locator('li', { hasText: `日报告/零报告 ${today}` });
    await expect(event).toHaveCount(1);
    await event.getByRole('link', { name: /日报告未按时报送/ }).click();
    await expect(page).toHaveURL(/\/duty\/reports\/misses\/\d+$/);
    await waitForHydration(page);

    // Excused with a reason, the event leaves the sheet.
    const form = page.getByTestId('excuse-form');
    await form.locator('input[name="reason"]').fill('当日停电断网,已电话报告');
    await form.getByRole('button', { name: '免责' }).click();
    await expect(page.getByTestId('miss-excused')).toContainText('停电断网');
    await expect(page.getByTestId('excuse-form')).toHaveCount(0);
    await page.goto(sheet);
    await expect(page.getByTestId('events').locator('li', { hasText: `日报告/零报告 ${today}` })).toHaveCount(0);
  } finally {
    await page.request.post('/test/clock', { form: { reset: '1' } });
  }
  expect(errors).toEqual([]);
});

/** Now plus `minutes`, as a datetime-local input takes it (district time, UTC+8). */
function localMinutes(minutes: number): string {
  return new Date(Date.now() + 8 * 3600_000 + minutes * 60_000).toISOString().slice(0, 16);
}

test('a unit reports an incident late from a phone; the late report is on its sheet, linked to the timeline', async ({ page }) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'trainee');
  await page.goto('/duty/incidents');
  await waitForHydration(page);
  const form = page.getByTestId('first-report');
  // A 重大 incident four hours ago: the district allows 30 minutes.
  await form.locator('select[name="level"]').selectOption('major');
  await form.locator('input[name="occurred_at"]').fill(localMinutes(-240));
  await form.locator('input[name="title"]').fill('化工厂储罐泄漏');
  await form.locator('input[name="place"]').fill('城关街道工业园');
  await form.locator('input[name="injured"]').fill('2');
  await form.locator('textarea[name="measures"]').fill('已疏散周边群众,消防到场处置');
  await form.getByRole('button', { name: '提交首报' }).click();
  await expect(page).toHaveURL(/\/duty\/incidents\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('first-late')).toBeVisible();
  await expect(page.getByTestId('first-event')).toContainText('已计入当年考核');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // A 续报 from the field.
  const follow = page.getByTestId('follow-form');
  await follow.locator('textarea[name="text"]').fill('泄漏已堵住,2 人轻伤送医');
  await follow.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByTestId('timeline-report')).toHaveCount(2);
  await expect(page.getByTestId('timeline-report').nth(1)).toContainText('续报');

  // The office: 城关街道's sheet lists the late report, linked to the timeline.
  await page.context().clearCookies();
  await login(page, 'assessor');
  await page.goto('/assessment');
  await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
  await page.getByTestId('ranking').locator('tr[data-unit="JD01"] a').first().click();
  const event = page.getByTestId('events').locator('li', { hasText: '化工厂储罐泄漏 首报迟报' });
  await expect(event).toHaveCount(1);
  await event.getByRole('link', { name: /突发事件报告/ }).click();
  await expect(page).toHaveURL(/\/duty\/incidents\/\d+$/);
  await expect(page.getByTestId('timeline-report')).toHaveCount(2);
  await expect(page.getByTestId('ask-form')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a unit declares an incident too low; the office rules it 重大 and the late first report counts', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'trainee');
  await page.goto('/duty/incidents');
  await waitForHydration(page);
  // Declared 一般 an hour ago: within its 120 minutes.
  const form = page.getByTestId('first-report');
  await form.locator('select[name="level"]').selectOption('general');
  await form.locator('input[name="occurred_at"]').fill(localMinutes(-60));
  await form.locator('input[name="title"]').fill('仓库屋顶坍塌');
  await form.locator('input[name="place"]').fill('城关街道物流园');
  await form.locator('textarea[name="measures"]').fill('已设置警戒');
  await form.getByRole('button', { name: '提交首报' }).click();
  await expect(page).toHaveURL(/\/duty\/incidents\/\d+$/);
  const incident = page.url();
  await expect(page.getByTestId('incident-facts')).toContainText('城关街道物流园');
  await expect(page.getByTestId('first-event')).toHaveCount(0);
  await expect(page.getByTestId('rule-form')).toHaveCount(0);

  // The office establishes 重大 (30 minutes): the 首报 was late.
  await page.context().clearCookies();
  await login(page, 'assessor');
  await page.goto(incident);
  await waitForHydration(page);
  const rule = page.getByTestId('rule-form');
  await rule.locator('select[name="level"]').selectOption('major');
  await rule.locator('input[name="reason"]').fill('现场核实：3 人被困，实为重大');
  await rule.getByRole('button', { name: '核定事件等级与发生时间' }).click();
  await expect(page.getByTestId('incident-ruling')).toContainText('3 人被困');
  await expect(page.getByTestId('first-event')).toContainText('已计入当年考核');

  // 城关街道's sheet lists it, said to be by ruling.
  await page.goto('/assessment');
  await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
  await page.getByTestId('ranking').locator('tr[data-unit="JD01"] a').first().click();
  await expect(page.getByTestId('events').locator('li', { hasText: '仓库屋顶坍塌 首报迟报' })).toContainText('核定');
  expect(errors).toEqual([]);
});
