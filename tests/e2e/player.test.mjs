// The web player in a real browser: headless Chromium (Debian's) plays the stream with
// hls.js at low latency, and the home page lists it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { e2eTest, median, sleep, waitFor } from './lib/harness.mjs';
import { pickVariant, waitForMedia, waitForStream } from './lib/hls.mjs';
import { completeSegments } from './lib/m3u8.mjs';
import { publish, startVela } from './lib/vela.mjs';
import { capturePageLog, launchChromium } from './lib/browser.mjs';

e2eTest('the web player plays the live stream at low latency', { timeout: 150000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'playertest';
  const publisher = await publish(h, vela.rtmpUrl(name), { size: '640x360' });
  const { mv, url } = await waitForStream(vela, name);
  await waitForMedia(vela, pickVariant(mv, url, '640x360').url, (p) => completeSegments(p).length >= 1, { what: 'a complete segment' });

  const browser = await launchChromium(h);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageLog = [];
  capturePageLog(page, pageLog);
  const pageErrors = () => pageLog.filter((l) => l.startsWith('pageerror'));
  const shots = await h.dir('screenshots');
  try {
    await page.goto(vela.url(`/watch/${name}`), { waitUntil: 'load', timeout: 30000 });
    await page.waitForFunction(() => window.velaPlayer && window.velaPlayer.stats().playing, null, { timeout: 30000, polling: 250 });

    // Sample for 8 s.
    const samples = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 8000) {
      const s = await page.evaluate(() => {
        const st = window.velaPlayer.stats();
        return { latency: st.latency, buffer: st.buffer, currentTime: st.currentTime, playing: st.playing, width: st.width, height: st.height };
      });
      samples.push({ at: (Date.now() - t0) / 1000, ...s });
      await sleep(500);
    }
    await page.screenshot({ path: path.join(shots, 'watch.png') }).catch(() => {});
    t.diagnostic(`player samples: ${JSON.stringify(samples.map((s) => [s.at.toFixed(1), s.currentTime.toFixed(2), s.latency?.toFixed(2), s.buffer.toFixed(2), s.playing]))}`);

    const advanced = samples.at(-1).currentTime - samples[0].currentTime;
    assert.ok(advanced >= 4, `currentTime advanced ${advanced.toFixed(2)} s over ${samples.at(-1).at.toFixed(1)} s`);
    const late = samples.filter((s) => s.at >= 3);
    const latencies = late.map((s) => s.latency).filter((l) => typeof l === 'number' && Number.isFinite(l));
    assert.ok(latencies.length >= late.length / 2, `latency known in ${latencies.length} of ${late.length} samples`);
    assert.ok(median(latencies) < 3, `median latency ${median(latencies).toFixed(2)} s`);
    assert.ok(Math.max(...latencies) < 5, `max latency ${Math.max(...latencies).toFixed(2)} s`);
    const last = samples.at(-1);
    assert.equal(`${last.width}x${last.height}`, '640x360', 'video size');
    // One rendition: the quality menu offers it beside "Auto" but has nothing to switch.
    const quality = await page.evaluate(() => ({
      state: window.velaPlayer.quality(),
      options: [...document.querySelectorAll('#quality option')].map((o) => o.textContent),
      disabled: document.querySelector('#quality').disabled,
    }));
    assert.deepEqual(quality.options, ['Auto', '360p'], 'quality menu');
    assert.equal(quality.disabled, true, 'quality menu disabled with one level');
    assert.equal(quality.state.choice, -1, 'automatic level selection by default');
    assert.deepEqual(pageErrors(), [], 'uncaught errors on the player page');

    // The controls: visible on the picture, and they do what they say, by mouse and keyboard.
    const videoBox = await page.locator('#video').boundingBox();
    for (const id of ['play-pause', 'unmute', 'volume', 'fullscreen', 'pip', 'live-state']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.width > 0, `#${id} is shown`);
      assert.ok(box.y >= videoBox.y && box.y + box.height <= videoBox.y + videoBox.height + 1, `#${id} is on the picture`);
    }
    const paused = () => page.evaluate(() => window.velaPlayer.video.paused);
    await page.click('#play-pause');
    assert.equal(await paused(), true, 'Pause pauses');
    assert.equal(await page.textContent('#play-pause'), 'Play');
    await page.keyboard.press('k');
    await page.waitForFunction(() => !window.velaPlayer.video.paused, null, { timeout: 10000 });
    await page.keyboard.press('m');
    assert.equal(await page.evaluate(() => window.velaPlayer.video.muted), false, 'm unmutes');
    assert.equal(await page.textContent('#unmute'), 'Mute');
    await page.keyboard.press('ArrowDown');
    const volume = await page.evaluate(() => window.velaPlayer.video.volume);
    assert.ok(Math.abs(volume - 0.9) < 1e-6, `arrow down lowers the volume: ${volume}`);
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement?.id === 'player', null, { timeout: 10000 });
    await page.keyboard.press('f');
    await page.waitForFunction(() => !document.fullscreenElement, null, { timeout: 10000 });
    await page.screenshot({ path: path.join(shots, 'watch-controls.png') });

    // A phone-sized screen: the picture and its controls fit the width, nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const phone = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      bar: document.querySelector('.control-bar').getBoundingClientRect().right,
      fullscreen: document.querySelector('#fullscreen').getBoundingClientRect().right,
    }));
    assert.ok(phone.scrollWidth <= 390, `no sideways scrolling on a phone: ${JSON.stringify(phone)}`);
    assert.ok(phone.fullscreen <= 390, `the last control is on screen: ${JSON.stringify(phone)}`);
    await page.screenshot({ path: path.join(shots, 'watch-phone.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(pageErrors(), [], 'uncaught errors while using the controls');

    // The home page lists the live stream.
    const home = await context.newPage();
    capturePageLog(home, pageLog);
    await home.goto(vela.url('/'), { waitUntil: 'load', timeout: 30000 });
    await waitFor(
      async () => {
        if ((await home.textContent('body')).includes(name)) return true;
        await home.reload({ waitUntil: 'load', timeout: 10000 });
        return false;
      },
      { timeoutMs: 15000, intervalMs: 1500, what: `the home page to list ${name}` },
    );
    await home.screenshot({ path: path.join(shots, 'home.png') }).catch(() => {});
    assert.deepEqual(pageErrors(), [], 'uncaught errors on the pages');

    // The publisher stops: the player says the stream ended and offers no stale levels.
    await publisher.stop();
    await page.waitForFunction(() => document.querySelector('#status').dataset.state === 'ended', null, { timeout: 30000, polling: 250 });
    assert.match(await page.textContent('#status'), /This stream has ended/);
    assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('#quality option')].map((o) => o.textContent)), ['Auto'], 'no stale quality levels');
    assert.equal(await page.isHidden('#live-state'), true, 'no LIVE badge once ended');
    await page.screenshot({ path: path.join(shots, 'watch-ended.png') });
    await browser.close();
    await vela.stopCleanly();
  } catch (err) {
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => {});
    t.diagnostic('browser log (last 80 lines):');
    for (const line of pageLog.slice(-80)) t.diagnostic(line);
    throw err;
  }
});
