// Thumbnails: a JPEG of each live stream at /live/{name}/thumbnail.jpg, made from keyframes
// every thumbnails.interval_s, listed by the API and shown on the live-now page.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { pickVariant, waitForMedia, waitForStream } from './lib/hls.mjs';
import { completeSegments } from './lib/m3u8.mjs';
import { probe } from './lib/media.mjs';
import { capturePageLog, launchChromium } from './lib/browser.mjs';
import { publish, startVela, waitForStatus } from './lib/vela.mjs';

const thumbnailPath = (name) => `/live/${encodeURIComponent(name)}/thumbnail.jpg`;

e2eTest('a live stream has a JPEG thumbnail of the planned size, refreshed and listed', { timeout: 150000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'thumbnails.interval_s': 1 } });
  const name = 'thumbtest';

  const unknown = await vela.request(thumbnailPath('nosuchstream'));
  assert.equal(unknown.status, 404, 'unknown stream');
  assert.equal(unknown.headers['cache-control'], 'no-store', 'a 404 is not cached');

  const pub = await publish(h, vela.rtmpUrl(name), { size: '640x360', rate: 30, gop: 30 });
  const first = await waitForStatus(vela, thumbnailPath(name), { timeoutMs: 30000, what: 'the first thumbnail' });
  assert.equal(first.headers['content-type'], 'image/jpeg');
  assert.equal(first.headers['cache-control'], 'public, max-age=1');
  assert.deepEqual([...first.body.subarray(0, 2)], [0xff, 0xd8], 'JPEG SOI marker');
  const dir = await h.dir('thumbnails');
  const file = path.join(dir, 'first.jpg');
  await writeFile(file, first.body);
  const probed = await probe(file);
  assert.equal(probed.stderr, '', 'ffprobe reads the JPEG cleanly');
  assert.deepEqual(
    probed.streams.map((s) => [s.codec_name, s.width, s.height]),
    [['mjpeg', 320, 180]],
    `ffprobe: ${JSON.stringify(probed.streams)}`,
  );

  // testsrc2 moves, so a later thumbnail (one per second here) is a different picture.
  await waitFor(
    async () => {
      const res = await vela.request(thumbnailPath(name));
      return res.status === 200 && !res.body.equals(first.body);
    },
    { timeoutMs: 15000, intervalMs: 500, what: 'a newer thumbnail' },
  );

  const api = JSON.parse((await vela.request('/api/v1/streams')).text());
  const listed = api.streams.find((s) => s.name === name);
  assert.equal(listed?.playback?.thumbnail, thumbnailPath(name), `playback of ${JSON.stringify(listed)}`);

  const metrics = (await vela.request('/metrics')).text();
  const made = Number(metrics.match(/^vela_thumbnails_made_total (\d+)$/m)?.[1]);
  assert.ok(made >= 2, `vela_thumbnails_made_total ${made}`);

  // The live-now page shows the thumbnail (loaded, at its real size) for the stream.
  const browser = await launchChromium(h);
  const pageLog = [];
  try {
    const page = await browser.newPage();
    capturePageLog(page, pageLog);
    await page.goto(vela.url('/'), { waitUntil: 'load', timeout: 30000 });
    const selector = `img[src^="${thumbnailPath(name)}"]`;
    await page.waitForFunction(
      (sel) => {
        const img = document.querySelector(sel);
        return img && img.complete && img.naturalWidth === 320 && img.naturalHeight === 180;
      },
      selector,
      { timeout: 20000, polling: 250 },
    );
    await page.screenshot({ path: path.join(dir, 'home.png') }).catch(() => {});
    assert.deepEqual(pageLog.filter((l) => l.startsWith('pageerror')), [], 'uncaught errors on the page');
  } finally {
    await browser.close();
  }

  // The thumbnail goes with the stream.
  await pub.stop();
  await waitForStatus(vela, thumbnailPath(name), { status: 404, timeoutMs: 20000, what: 'the thumbnail to go' });
  await vela.stopCleanly();
});

e2eTest('thumbnails.interval_s = 0 turns thumbnails off', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'thumbnails.interval_s': 0 } });
  const name = 'nothumbs';
  await publish(h, vela.rtmpUrl(name), { size: '320x180' });
  const { mv, url } = await waitForStream(vela, name);
  // A complete segment means keyframes have gone by that would have made a thumbnail.
  await waitForMedia(vela, pickVariant(mv, url, '320x180').url, (p) => completeSegments(p).length >= 1, { what: 'a complete segment' });
  const res = await vela.request(thumbnailPath(name));
  assert.equal(res.status, 404);
  const metrics = (await vela.request('/metrics')).text();
  assert.match(metrics, /^vela_thumbnails_made_total 0$/m);
  await vela.stopCleanly();
});
