import { expect, Page, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { asSomeoneElse, login, waitForHydration, watchConsole } from './helpers';

/** Opens this year's subdistrict scheme (the newest) from the scheme list. */
async function openRanking(page: Page): Promise<string> {
  await page.goto('/assessment');
  await page.getByTestId('schemes').getByRole('link', { name: /年街道应急管理工作考核/ }).first().click();
  await expect(page.getByTestId('ranking')).toBeVisible();
  return page.url();
}

/** The ranking rows as [unit code, total, grade, rank]. */
async function rankingRows(page: Page): Promise<string[][]> {
  return page.getByTestId('ranking').locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => [
      r.getAttribute('data-unit') ?? '',
      (r.querySelector('td.total')?.textContent ?? '').trim(),
      (r.querySelector('td.grade')?.textContent ?? '').trim(),
      (r.querySelector('td')?.textContent ?? '').trim(),
    ]),
  );
}

test('a veto proposed by one assessor and confirmed by another zeroes the unit, and the export agrees', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await login(page, 'assessor');
  const ranking = await openRanking(page);

  // JD06's sheet is unfinished: no total until its last manual score is in.
  await page.getByTestId('ranking').locator('tr[data-unit="JD06"] a').first().click();
  await waitForHydration(page);
  const sheetUrl = page.url();
  await expect(page.getByTestId('headline')).toContainText('尚未评完');
  const live = page.getByTestId('live-total');
  await expect(live).toContainText('尚未评完');
  const education = page.locator('input[data-indicator="education"]');
  await education.fill('8.5');
  await expect(live).toContainText(/实时合计:\d+\.\d/);
  const liveTotal = (await live.textContent())!.match(/(\d+\.\d)/)![1];
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page.getByTestId('headline')).toContainText(`总分 ${liveTotal}`);

  // The live total reads a typed score as the server will: 11 in a
  // 10-point field and "abc" are named at once, never totalled.
  await education.fill('11');
  await expect(live).toContainText('超过最高分 10.0');
  await expect(live).not.toContainText('实时合计');
  await education.fill('abc');
  await expect(live).toContainText('“abc”不是有效分值');
  await expect(live).not.toContainText('尚未评完');
  // Sent anyway, the server refuses it with its row and field named.
  await education.fill('12');
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page.getByTestId('sheet').getByRole('alert')).toContainText('评分第');
  await expect(page.getByTestId('sheet').getByRole('alert')).toContainText('超过最高分 10.0');
  await page.reload();
  await expect(page.getByTestId('headline')).toContainText(`总分 ${liveTotal}`);

  // Propose the veto, then try to confirm it oneself: the server refuses.
  const vetoes = page.getByTestId('vetoes');
  await waitForHydration(page);
  await vetoes.getByLabel('理由').fill('瞒报较大事故');
  await vetoes.getByLabel('证据').fill('区应急办通报(2026)第 7 号');
  await vetoes.getByTestId('propose-veto').click();
  await expect(vetoes.locator('li[data-status="proposed"]')).toBeVisible();
  await expect(page.getByTestId('headline')).toContainText(`总分 ${liveTotal}`);
  // Confirming asks first, naming what will happen.
  await vetoes.getByTestId('confirm-veto-open').locator('summary').click();
  await expect(vetoes.getByTestId('confirm-veto-open')).toContainText('总分记为 0.0');
  await vetoes.getByTestId('confirm-veto').click();
  await expect(vetoes.getByRole('alert')).toContainText('您没有权限执行此操作');
  await expect(vetoes.locator('li[data-status="proposed"]')).toBeVisible();

  // A second assessor confirms it from the review list.
  const second = await asSomeoneElse(browser, 'assessor2');
  await second.goto('/assessment/vetoes');
  await waitForHydration(second);
  const pending = second.locator('li[data-status="proposed"]').filter({ hasText: '瞒报较大事故' });
  await pending.getByTestId('confirm-veto-open').locator('summary').click();
  await pending.getByTestId('confirm-veto').click();
  await expect(second.locator('li[data-status="confirmed"]').filter({ hasText: '瞒报较大事故' })).toBeVisible();

  // The unit now shows 0.0, fail, last place; its explanation shows the veto.
  await page.goto(ranking);
  const rows = await rankingRows(page);
  const last = rows[rows.length - 1];
  expect(last[0]).toBe('JD06');
  expect(last[1]).toBe('0.0');
  expect(last[2]).toBe('不合格');
  const ranked = rows.filter((r) => r[0] !== 'JD06' && r[1] !== '—').length;
  expect(last[3]).toBe(String(ranked + 1));
  await expect(page.getByTestId('ranking').locator('tr[data-unit="JD06"] .badge.veto')).toBeVisible();
  await page.goto(sheetUrl);
  await expect(page.getByTestId('headline')).toContainText('一票否决');
  await expect(page.getByTestId('veto-explained')).toContainText('瞒报较大事故');
  await expect(page.getByTestId('veto-explained')).toContainText('区应急办通报');

  // The exported workbook holds the same totals as the page.
  await page.goto(ranking);
  const download = await page.request.get(ranking.replace(/\/?$/, '') + '/results.xlsx');
  expect(download.status()).toBe(200);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await download.body());
  const sheet = book.getWorksheet('results')!;
  const fromFile: string[][] = [];
  // A title row, then the column titles (the indicators' scores come
  // before the total).
  let totalCol = 0;
  sheet.getRow(2).eachCell((cell, col) => {
    if (cell.value === '总分') totalCol = col;
  });
  expect(totalCol).toBeGreaterThan(3);
  sheet.eachRow((row, n) => {
    if (n <= 2) return;
    const total = row.getCell(totalCol).value;
    fromFile.push([String(row.getCell(1).value), total === null ? '—' : Number(total).toFixed(1)]);
  });
  expect(fromFile).toEqual(rows.map((r) => [r[0], r[1]]));

  // Revoking it takes two assessors as well: the first asks, with a reason,
  // and the veto still counts until the second confirms.
  await page.goto(sheetUrl);
  await waitForHydration(page);
  const confirmed = page.getByTestId('vetoes').locator('li[data-status="confirmed"]').filter({ hasText: '瞒报较大事故' });
  await confirmed.locator('input[name="note"]').fill('单位申诉成立');
  await confirmed.getByTestId('revoke-veto').click();
  await expect(confirmed.getByTestId('revocation-pending')).toContainText('单位申诉成立');
  await expect(confirmed.getByTestId('confirm-revoke')).toHaveCount(0);
  await expect(page.getByTestId('headline')).toContainText('一票否决');
  await second.goto('/assessment/vetoes');
  await waitForHydration(second);
  await second.locator('li[data-status="confirmed"]').filter({ hasText: '瞒报较大事故' }).getByTestId('confirm-revoke').click();
  await expect(second.locator('li[data-status="revoked"]').filter({ hasText: '瞒报较大事故' })).toBeVisible();
  await page.goto(sheetUrl);
  await expect(page.getByTestId('headline')).toContainText(`总分 ${liveTotal}`);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('a trainee is refused the assessment pages', async ({ page }) => {
  await login(page, 'trainee');
  await expect(page.locator('nav.main-nav').getByRole('link', { name: '年度考核', exact: true })).toHaveCount(0);
  for (const path of ['/assessment', '/assessment/schemes/1', '/assessment/schemes/1/units/1', '/assessment/vetoes']) {
    await page.goto(path);
    await expect(page.locator('.error-panel h1')).toHaveText('403');
  }
  const csv = await page.request.get('/assessment/schemes/1/results.csv');
  expect(csv.status()).toBe(403);
});

test('an assessor sees the scheme form name the row and field of a mistake', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'assessor');
  await page.goto('/assessment/schemes/new');
  await waitForHydration(page);
  const form = page.getByTestId('scheme-form');
  await form.getByLabel('编码', { exact: true }).fill('S2031-QY');
  await form.getByLabel('年度').fill('2031');
  await form.getByLabel('名称', { exact: true }).fill('2031年企业安全生产考核');
  await form.getByLabel('重点企业').check();
  const rows = form.getByTestId('indicators').locator('tbody tr');
  await rows.nth(0).locator('input[name$="[code]"]').fill('safety');
  await rows.nth(0).locator('input[name$="[name]"]').fill('安全生产');
  await rows.nth(0).locator('input[name$="[max]"]').fill('70');
  await rows.nth(1).locator('input[name$="[code]"]').fill('plans');
  await rows.nth(1).locator('input[name$="[name]"]').fill('应急预案');
  await rows.nth(1).locator('input[name$="[max]"]').fill('20');
  await rows.nth(1).locator('select[name$="[method]"]').selectOption('ratio');
  await rows.nth(1).locator('select[name$="[metric]"]').selectOption('plan_coverage');
  await rows.nth(1).locator('input[name$="[target]"]').fill('97');
  // The running sum says 90.0 before the assessor submits.
  await expect(form.getByTestId('maxima-sum')).toContainText('90.0');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('alert')).toContainText('指标满分合计为 90.0');
  // A seventh row, added in the page, carries the missing ten points.
  await expect(rows).toHaveCount(6);
  await form.getByTestId('add-indicator').click();
  await expect(rows).toHaveCount(7);
  await rows.nth(6).locator('input[name$="[code]"]').fill('education');
  await rows.nth(6).locator('input[name$="[name]"]').fill('宣传教育');
  await rows.nth(6).locator('input[name$="[max]"]').fill('10');
  await expect(form.getByTestId('maxima-sum')).toContainText('100.0');
  await rows.nth(1).locator('input[name$="[target]"]').fill('120');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('alert')).toContainText('指标第 2 行的目标(%)');
  await rows.nth(1).locator('input[name$="[target]"]').fill('97');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('h1')).toHaveText('2031年企业安全生产考核');
  await expect(page.getByTestId('ranking')).toBeVisible();
  // The stored scheme has the added row.
  await page.goto(page.url() + '/edit');
  await expect(page.getByTestId('indicators').locator('input[value="education"]')).toHaveCount(1);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('the results say what moved since an assessor last looked, and publishing asks first', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, 'assessor2');
  const ranking = await openRanking(page);
  await waitForHydration(page);
  const feed = page.getByTestId('feed');
  await expect(feed).toBeVisible();
  await feed.getByTestId('mark-seen').click();
  await expect(feed).toContainText('没有新的变动');

  // A bonus on 南河's sheet: the form clears after it is saved, and the
  // sheet's history lists it.
  await page.getByTestId('ranking').locator('tr[data-unit="JD02"] a').first().click();
  await waitForHydration(page);
  const bonuses = page.getByTestId('bonuses');
  await bonuses.locator('input[name="points"]').fill('1');
  await bonuses.locator('input[name="reason"]').fill('区级表彰');
  await bonuses.getByRole('button', { name: '添加加分项' }).click();
  await expect(bonuses.locator('li', { hasText: '区级表彰' })).toBeVisible();
  await expect(bonuses.locator('input[name="reason"]')).toHaveValue('');
  await expect(page.getByTestId('history')).toContainText('新增加分');
  // Where each ratio's value came from is on the explanation.
  await expect(page.getByTestId('explanation').getByTestId('provenance').first()).toBeVisible();

  // Back on the results: that unit and that change, since last looked.
  await page.goto(ranking);
  await waitForHydration(page);
  await expect(page.getByTestId('feed').getByTestId('feed-unit')).toHaveCount(1);
  await expect(page.getByTestId('feed')).toContainText('新增加分');

  // Publishing says what it will do before it does anything.
  const publishing = page.getByTestId('publishing');
  await expect(page.getByTestId('publish')).toBeHidden();
  await publishing.getByTestId('confirm-publish').locator('summary').click();
  await expect(publishing).toContainText('锁定');
  await expect(page.getByTestId('publish')).toBeVisible();
  expect(errors).toEqual([]);
});
