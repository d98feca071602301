import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. The server is started by
// .ci/e2e.sh (release binary, fresh demo database) and named by BASE_URL.
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    testIdAttribute: 'data-test',
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3900',
    locale: 'zh-CN',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
