// The ABR ladder end to end: an RTMP 1080p30 source, transcoded to the default ladder, is
// packaged as four LL-HLS renditions whose segments line up, and hls.js in Chromium switches
// between them by itself (bandwidth throttled and restored through the DevTools Protocol)
// and from the player's quality menu.
import assert from 'node:assert/strict';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { fetchAndProbeRendition, getMedia, resolve, waitForMedia, waitForStream } from './lib/hls.mjs';
import { completeSegments } from './lib/m3u8.mjs';
import { publish, startVela } from './lib/vela.mjs';
import { capturePageLog, launchChromium, throttlePage } from './lib/browser.mjs';

const kLadder = ['1920x1080', '1280x720', '854x480', '640x360'];

// The level hls.js plays, with its height: { level, height, auto }.
async function playingLevel(page) {
  return page.evaluate(() => {
    const { hls } = window.velaPlayer;
    const level = hls ? hls.currentLevel : -1;
    return { level, height: level >= 0 ? hls.levels[level].height : 0, auto: hls ? hls.autoLevelEnabled : null };
  });
}

async function waitForLevel(page, predicate, what, timeoutMs) {
  return waitFor(
    async () => {
      const now = await playingLevel(page);
      if (!predicate(now)) throw new Error(`playing ${JSON.stringify(now)}`);
      return now;
    },
    { timeoutMs, intervalMs: 500, what },
  );
}

e2eTest('renditions: RTMP 1080p → default ladder → aligned LL-HLS renditions, ABR and manual switching in Chromium', { timeout: 420000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'transcode.enabled': 'true' } });
  const name = 'ladder';
  // A 2 s GOP and a capped source rate keep the encode (and the throttled link) predictable.
  await publish(h, vela.rtmpUrl(name), {
    size: '1920x1080', gop: 60, maxSeconds: 300,
    extraOutputArgs: ['-b:v', '3000k', '-maxrate', '3000k', '-bufsize', '3000k'],
  });

  // 1. The multivariant lists the four renditions, highest first.
  const { mv, url: mvUrl } = await waitFor(
    async () => {
      const got = await waitForStream(vela, name, { timeoutMs: 20000 });
      if (got.mv.variants.length < kLadder.length) throw new Error(`${got.mv.variants.length} variants:\n${got.res.text()}`);
      return got;
    },
    { timeoutMs: 90000, intervalMs: 1000, what: 'four renditions in the multivariant playlist' },
  );
  assert.deepEqual(mv.errors, []);
  assert.deepEqual(mv.variants.map((v) => v.attrs.RESOLUTION), kLadder);
  for (const v of mv.variants) {
    assert.ok(Number(v.attrs.BANDWIDTH) > 0, `BANDWIDTH of ${v.uri}`);
    assert.ok(Number(v.attrs['FRAME-RATE']) > 29 && Number(v.attrs['FRAME-RATE']) <= 30, `FRAME-RATE of ${v.uri}`);
    assert.match(v.attrs.CODECS, /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/i, `CODECS of ${v.uri}`);
  }
  const urls = mv.variants.map((v) => resolve(v.uri, mvUrl));

  // 2. Each rendition decodes at its size; the same msn starts at the same keyframe pts
  // everywhere; every playlist reports the other renditions.
  const playlists = [];
  for (const url of urls) {
    playlists.push(await waitForMedia(vela, url, (p) => completeSegments(p).length >= 2, { timeoutMs: 60000, what: `2 complete segments in ${url}` }));
  }
  const msn = Math.min(...playlists.map((p) => completeSegments(p).at(-1).msn));
  const dir = await h.dir('renditions');
  const keyPts = [];
  for (const [i, url] of urls.entries()) {
    const { pl } = await getMedia(vela, url);
    const segment = pl.segments.find((s) => s.msn === msn && s.complete);
    assert.ok(segment, `segment ${msn} listed in ${url}`);
    const probed = await fetchAndProbeRendition(vela, url, { ...pl, segments: [segment] }, dir, `r${i}`);
    assert.deepEqual(probed.errors, [], `rendition ${kLadder[i]}`);
    const video = probed.segments[0].probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(`${video.width}x${video.height}`, kLadder[i], `decoded size of ${url}`);
    const key = probed.segments[0].probe.packets.find((p) => p.type === 'video' && p.key);
    keyPts.push(key.pts.toFixed(6));

    const reports = pl.text.split('\n').filter((l) => l.startsWith('#EXT-X-RENDITION-REPORT:'));
    const reported = reports.map((l) => /URI="([^"]+)"/.exec(l)?.[1]).sort();
    const others = mv.variants.filter((_, j) => j !== i).map((v) => v.uri).sort();
    assert.deepEqual(reported, others, `rendition reports in ${url}`);
    for (const l of reports) assert.match(l, /LAST-MSN=\d+,LAST-PART=\d+/, l);
  }
  t.diagnostic(`segment ${msn} starts at ${keyPts.join(', ')}`);
  assert.equal(new Set(keyPts).size, 1, `first keyframe pts of segment ${msn}: ${keyPts.join(', ')}`);

  // 3. hls.js in Chromium: down when the link is throttled, up when it is not, and the level
  // chosen in the quality menu.
  const browser = await launchChromium(h);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageLog = [];
  capturePageLog(page, pageLog);
  try {
    await page.goto(vela.url(`/watch/${name}`), { waitUntil: 'load', timeout: 30000 });
    await page.waitForFunction(() => window.velaPlayer?.stats().playing && window.velaPlayer.quality().levels.length === 4, null, { timeout: 60000, polling: 250 });
    const labels = await page.evaluate(() => window.velaPlayer.quality().levels.map((l) => l.label));
    assert.deepEqual(labels, ['1080p', '720p', '480p', '360p']);

    const high = await waitForLevel(page, (l) => l.height >= 720, 'hls.js on 720p or more, unthrottled', 60000);
    const cdp = await throttlePage(context, page, 1_500_000);
    const low = await waitForLevel(page, (l) => l.height > 0 && l.height < high.height, `a level below ${high.height}p at 1.5 Mb/s`, 90000);
    t.diagnostic(`ABR: ${high.height}p → ${low.height}p when throttled`);
    await throttlePage(context, page, null, cdp);
    const back = await waitForLevel(page, (l) => l.height > low.height, `a level above ${low.height}p unthrottled`, 90000);
    t.diagnostic(`ABR: ${low.height}p → ${back.height}p when the limit is lifted`);

    // Manual: pin 360p from the menu, then hand the choice back to hls.js.
    const pinned = await page.evaluate(() => window.velaPlayer.quality().levels.find((l) => l.label === '360p').index);
    await page.selectOption('#quality', String(pinned));
    await waitForLevel(page, (l) => l.level === pinned && l.auto === false, 'the level picked in the menu', 30000);
    await page.waitForFunction(() => window.velaPlayer.stats().height === 360, null, { timeout: 30000, polling: 250 });
    await page.selectOption('#quality', '-1');
    await waitForLevel(page, (l) => l.auto === true, 'automatic level selection again', 10000);
    assert.deepEqual(pageLog.filter((l) => l.startsWith('pageerror')), [], 'uncaught errors on the player page');
  } catch (err) {
    t.diagnostic(`page log:\n${pageLog.slice(-40).join('\n')}`);
    throw err;
  }
});
