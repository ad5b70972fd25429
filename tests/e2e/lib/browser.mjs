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

/**
 * Emulates a network link of `bitsPerSecond` download for one page (Chromium DevTools Protocol
 * network emulation on the page's own session); null lifts the limit. Returns the session.
 */
export async function throttlePage(context, page, bitsPerSecond, session = null) {
  const cdp = session ?? (await context.newCDPSession(page));
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: bitsPerSecond === null ? 0 : 20,
    downloadThroughput: bitsPerSecond === null ? -1 : bitsPerSecond / 8,
    uploadThroughput: -1,
  });
  return cdp;
}
