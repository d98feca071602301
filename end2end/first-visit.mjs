// First visit over a slow mobile link (a village on mobile data): 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms latency, empty cache. Prints, per page, when
// the page was readable and usable (DOMContentLoaded: every form already
// works as a plain post) and when its islands were alive (data-hydrated).
//
//   node end2end/first-visit.mjs http://127.0.0.1:3000 [runs]
//
// Debian's Chromium, never a downloaded browser; bounded: each page load
// times out after 60 s.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] ?? 3);
const pages = ['/login'];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
for (const path of pages) {
  const ready = [];
  const alive = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750,
    });
    let received = 0;
    cdp.on('Network.loadingFinished', (e) => { received += e.encodedDataLength; });
    const start = Date.now();
    await page.goto(base + path, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    ready.push(Date.now() - start);
    await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
    alive.push(Date.now() - start);
    await page.waitForLoadState('networkidle', { timeout: 60_000 });
    bytes = received;
    await context.close();
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${path}: usable ${median(ready)} ms, islands alive ${median(alive)} ms (median of ${runs}), ${bytes} bytes over the wire`);
}
await browser.close();
