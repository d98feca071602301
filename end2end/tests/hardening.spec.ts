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

test('every page of each role hydrates under its Content-Security-Policy without a violation', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  // Recorded by the page itself: each script, style or frame the policy refused.
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const pages: Record<string, string[]> = {
    admin: ['/', '/units', '/people', '/import', '/admin/accounts', '/admin/audit', '/registry', '/drills/calendar'],
    assessor: ['/assessment', '/assessment/vetoes', '/assessment/metrics'],
    organizer: ['/training', '/drills', '/drills/plans', '/drills/coverage', '/registry/coverage'],
    trainee: ['/my/training', '/account'],
  };
  for (const [who, paths] of Object.entries(pages)) {
    await page.context().clearCookies();
    await login(page, who);
    for (const path of paths) {
      const answer = await page.goto(path);
      const csp = answer?.headers()['content-security-policy'] ?? '';
      expect(csp, path).toMatch(/script-src 'nonce-[A-Za-z0-9_-]{16,}'/);
      expect(csp, path).not.toContain("'unsafe-inline' 'wasm");
      expect(answer?.headers()['cache-control'], path).toBe('no-store');
      await waitForHydration(page);
      const violations = await page.evaluate(() => (window as any).__violations as string[]);
      expect(violations, `${who} ${path}`).toEqual([]);
    }
  }
  expect(errors, errors.join('\n')).toEqual([]);
});

test('after signing out, Back shows nothing of the trainee on a shared PC', async ({ page }) => {
  await login(page, 'trainee');
  await page.goto('/my/training');
  await waitForHydration(page);
  const name = (await page.locator('h1').textContent()) ?? '';
  expect(name.length).toBeGreaterThan(0);
  await page.goto('/account');
  await waitForHydration(page);
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  // Back twice: the browser must ask the server again (no-store), which
  // sends it to sign in; no copy of the trainee's page is shown.
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.locator('body')).not.toContainText('我的培训');
});
