import { Browser, expect, Page } from '@playwright/test';

export const PASSWORD = process.env.DEMO_PASSWORD ?? 'Demo-pass-2018';

/** Signs in through the form, as a person would, and waits for the home page. */
export async function login(page: Page, username: string) {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel(/用户名|User name/).fill(username);
  await page.getByLabel(/^密码$|^Password$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^登录$|^Sign in$/ }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('h1')).toContainText(/您好|Hello/);
}

/** The page is interactive once the wasm bundle has hydrated it. */
export async function waitForHydration(page: Page) {
  await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached', timeout: 30_000 });
}

/**
 * Collects every error the page logs (a broken wasm shows up here). Chromium
 * also logs each 4xx answer as "Failed to load resource"; those are answers a
 * test provokes on purpose (a refused form), not errors of the page.
 */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    const refusal = /Failed to load resource: the server responded with a status of 4\d\d/.test(m.text());
    if (m.type() === 'error' && !refusal) errors.push(m.text());
  });
  return errors;
}

/** A second person at another browser, signed in as `username`. */
export async function asSomeoneElse(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3900',
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await login(page, username);
  return page;
}
