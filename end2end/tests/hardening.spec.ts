import { expect, test } from '@playwright/test';
import { login, waitForHydration, watchConsole } from './helpers';

// Closes the textarea, then markup that would make a request if it became
// markup: the image's own source (the page's CSP allows images from 'self'
// even though it blocks the inline handler, so a break-out is seen either
// way) and a script; and an entity that must come back as the text `&amp;`.
const PAYLOAD =
  `</textarea><img src="/x-pwned.png" onerror="fetch('/x-pwned')">` +
  `<script>fetch('/x-pwned')</script>&amp;`;

test('a plan summary that closes its textarea stays text for the next person to open the form', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const pwned: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/x-pwned')) pwned.push(r.url());
  });
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });

  // The organizer drafts a plan whose summary carries the payload.
  await login(page, 'organizer');
  await page.goto('/drills/plans/new');
  await waitForHydration(page);
  const draft = page.getByTestId('eplan-form');
  await draft.locator('select[name="form[unit_id]"]').selectOption({ label: '城关街道 (JD01)' });
  await draft.locator('select[name="form[kind]"]').selectOption('overall');
  await draft.locator('input[name="form[title]"]').fill('城关街道突发事件总体应急预案(修订稿)');
  await draft.locator('textarea[name="form[summary]"]').fill(PAYLOAD);
  await draft.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/drills\/plans\/\d+$/);
  const id = new URL(page.url()).pathname.split('/').pop();

  // The admin opens the plan's form.
  await page.context().clearCookies();
  await login(page, 'admin');
  const edit = `/drills/plans/${id}/edit`;

  // As sent: the payload escaped, never markup.
  const sent = await page.request.get(edit);
  expect(sent.status()).toBe(200);
  const html = await sent.text();
  expect(html).not.toContain('</textarea><img');
  expect(html).not.toContain('<img src="/x-pwned.png"');
  expect(html).toContain('&lt;/textarea&gt;&lt;img src="/x-pwned.png"');

  await page.goto(edit);
  const form = page.getByTestId('eplan-form');
  const summary = form.locator('textarea[name="form[summary]"]');
  // As parsed, before the page hydrates and after: the textarea holds the
  // very text typed, and nothing of it became an element.
  await expect(summary).toHaveCount(1);
  expect(await summary.inputValue()).toBe(PAYLOAD);
  await expect(form.locator('img')).toHaveCount(0);
  await expect(form.locator('script', { hasText: 'x-pwned' })).toHaveCount(0);
  await expect(page.locator('img[src*="x-pwned"]')).toHaveCount(0);
  await waitForHydration(page);
  await expect(page.locator('h1')).toContainText('城关街道突发事件总体应急预案');
  expect(await summary.inputValue()).toBe(PAYLOAD);
  await expect(form.locator('img')).toHaveCount(0);
  await expect(page.locator('img[src*="x-pwned"]')).toHaveCount(0);
  await page.waitForLoadState('networkidle');

  expect(pwned, pwned.join('\n')).toEqual([]);
  expect(dialogs, dialogs.join('\n')).toEqual([]);
  expect(errors, errors.join('\n')).toEqual([]);
});
