// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core; no browser download.
import { chromium } from 'playwright-core';
import { CHROMIUM } from './vela.mjs';

export const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches Chromium; the harness closes it at cleanup. */
export async function launchChromium(h) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: kChromiumArgs, timeout: 60000 });
  h.defer(() => browser.close());
  return browser;
}

/** Sends a page's console output, uncaught errors and failed requests to `lines`. */
export function capturePageLog(page, lines) {
  page.on('console', (msg) => lines.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => lines.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => lines.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`));
}
