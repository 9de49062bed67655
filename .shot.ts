import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
await page.goto('file://' + process.argv[2]);
const h = await page.evaluate(() => document.documentElement.scrollHeight);
for (let y = 0, i = 0; y < h; y += 1400, i++) await page.screenshot({ path: `${process.argv[3]}_${i}.png`, clip: { x: 0, y, width: 1280, height: Math.min(1400, h - y) }, fullPage: true });
console.log(h);
await browser.close();
