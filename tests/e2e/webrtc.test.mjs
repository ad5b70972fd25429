// WebRTC in and out: WHIP publishing from /studio in headless Chromium (fake camera and
// microphone) and from aiortc, WHEP playback on /watch?protocol=webrtc in Chromium and with
// aiortc, an RTMP stream played over WHEP, the protocol switch, and the fallback to LL-HLS
// when WebRTC fails.
import assert from 'node:assert/strict';
import path from 'node:path';
import { capturePageLog } from './lib/browser.mjs';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { waitForStream } from './lib/hls.mjs';
import { publish, startVela } from './lib/vela.mjs';
import {
  aiortcResult,
  goLiveFromStudio,
  launchWebRtcChromium,
  probeHlsStreams,
  startAiortc,
  studioStats,
  watchOverWebRtc,
  webrtcPlayback,
} from './lib/webrtc.mjs';

// A stream's state in the API: true live, false ended, null not listed.
async function apiLive(vela, name) {
  const res = await vela.request('/api/v1/streams', { timeoutMs: 5000 });
  const stream = JSON.parse(res.text()).streams.find((s) => s.name === name);
  return stream ? stream.live : null;
}

function waitLive(vela, name, timeoutMs = 20000) {
  return waitFor(() => apiLive(vela, name), { timeoutMs, intervalMs: 200, what: `${name} live in /api/v1/streams` });
}

// H.264 video and AAC audio in the LL-HLS output, as ffprobe reads it.
async function assertHlsHasVideoAndAudio(vela, name) {
  await waitForStream(vela, name);
  const streams = await waitFor(
    async () => {
      const found = await probeHlsStreams(vela, name);
      if (!found.some((s) => s.codec_type === 'audio')) throw new Error(`no audio yet: ${JSON.stringify(found)}`);
      return found;
    },
    { timeoutMs: 20000, intervalMs: 500, what: `ffprobe to see audio in ${name}'s LL-HLS` },
  );
  const codecs = streams.map((s) => `${s.codec_type}:${s.codec_name}`);
  assert.ok(codecs.includes('video:h264'), `LL-HLS streams ${codecs}`);
  assert.ok(codecs.includes('audio:aac'), `LL-HLS streams ${codecs}`);
}

// Collects the pages' logs; on failure, prints them and takes screenshots.
async function withPages(t, h, browser, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const log = [];
  const pages = [];
  const newPage = async (label) => {
    const page = await context.newPage();
    capturePageLog(page, log);
    pages.push([label, page]);
    return page;
  };
  try {
    await fn(newPage);
  } catch (err) {
    const shots = await h.dir('screenshots');
    for (const [label, page] of pages) await page.screenshot({ path: path.join(shots, `${label}.png`) }).catch(() => {});
    t.diagnostic('browser log (last 80 lines):');
    for (const line of log.slice(-80)) t.diagnostic(line);
    throw err;
  }
  const errors = log.filter((l) => l.startsWith('pageerror'));
  assert.deepEqual(errors, [], 'uncaught errors on the pages');
}

e2eTest('Chromium goes live from /studio over WHIP; Chromium and aiortc play it over WHEP; LL-HLS has H.264 and AAC', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'studio1';
  const browser = await launchWebRtcChromium(h);
  await withPages(t, h, browser, async (newPage) => {
    const studio = await newPage('studio');
    await goLiveFromStudio(studio, vela, name);
    const sent = await waitFor(
      async () => {
        const s = await studioStats(studio);
        return s.bitrate > 0 && s.width > 0 ? s : null;
      },
      { timeoutMs: 10000, what: 'the studio to report what it sends' },
    );
    t.diagnostic(`studio sends ${JSON.stringify(sent)}`);
    assert.equal(await apiLive(vela, name), true, 'the API lists the WHIP stream as live');

    const watch = await newPage('watch');
    const played = await watchOverWebRtc(watch, vela, name);
    t.diagnostic(`WHEP in Chromium: ${JSON.stringify(played)}`);
    assert.ok(played.width > 0 && played.height > 0, `video size ${played.width}x${played.height}`);
    assert.ok(played.latency !== null && played.latency >= 0 && played.latency < 2, `latency estimate ${played.latency}`);
    const shown = await watch.textContent('#stats');
    assert.match(shown, /WebRTC/, 'the stats name the protocol');
    assert.match(shown, /ms \(estimate\)/, 'the stats show the latency estimate');

    const aiortc = await startAiortc(h, 'play', vela.url(`/whep/${name}`), { seconds: 5 });
    const { code, result, output } = await aiortcResult(aiortc, 30000);
    assert.equal(code, 0, `aiortc play exit code\n${output}`);
    t.diagnostic(`WHEP in aiortc: ${JSON.stringify(result)}`);
    assert.ok(result.video_frames >= 20, `aiortc decoded ${result.video_frames} video frames in 5 s`);
    assert.ok(result.audio_frames >= 50, `aiortc decoded ${result.audio_frames} audio frames in 5 s`);
    assert.ok(result.delete_status >= 200 && result.delete_status < 300, `DELETE of the WHEP session: ${result.delete_status}`);

    await assertHlsHasVideoAndAudio(vela, name);

    await studio.click('#stop');
    assert.equal(await studio.evaluate(() => document.body.dataset.state), 'stopped');
    await waitFor(async () => (await apiLive(vela, name)) !== true, { timeoutMs: 10000, what: 'Stop to end the stream' });
  });
  await vela.stopCleanly();
});

e2eTest('aiortc publishes over WHIP and Chromium plays it over WHEP', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'aiortc1';
  const publisher = await startAiortc(h, 'publish', vela.url(`/whip/${name}`), { key: name, seconds: 15 });
  await waitLive(vela, name);
  const browser = await launchWebRtcChromium(h);
  await withPages(t, h, browser, async (newPage) => {
    const played = await watchOverWebRtc(await newPage('watch'), vela, name);
    t.diagnostic(`WHEP in Chromium: ${JSON.stringify(played)}`);
    assert.equal(`${played.width}x${played.height}`, '640x360', 'video size');
    // The publisher and the viewer, both connected, in the sessions-by-state gauge.
    const connected = (await vela.request('/metrics')).text().split('\n')
      .filter((line) => /^vela_webrtc_sessions\{.*state="connected"\}/.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    assert.equal(connected, 2, 'connected WebRTC sessions');
  });
  await assertHlsHasVideoAndAudio(vela, name);
  const { code, result, output } = await aiortcResult(publisher, 30000);
  assert.equal(code, 0, `aiortc publish exit code\n${output}`);
  assert.ok(result.delete_status >= 200 && result.delete_status < 300, `DELETE of the WHIP session: ${result.delete_status}`);
  await waitFor(async () => (await apiLive(vela, name)) !== true, { timeoutMs: 10000, what: 'DELETE to end the stream' });
  await vela.stopCleanly();
});

e2eTest('an RTMP stream plays over WHEP in Chromium, the switch moves between WebRTC and LL-HLS, lip sync can be turned off', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'rtmp1';
  await publish(h, vela.rtmpUrl(name), { size: '640x360', extraOutputArgs: ['-bf', '0'] });
  await waitForStream(vela, name);
  const browser = await launchWebRtcChromium(h);
  await withPages(t, h, browser, async (newPage) => {
    const watch = await newPage('watch');
    const played = await watchOverWebRtc(watch, vela, name);
    t.diagnostic(`WHEP in Chromium: ${JSON.stringify(played)}`);
    assert.equal(`${played.width}x${played.height}`, '640x360', 'video size');

    await watch.check('input[name="protocol"][value="ll-hls"]');
    await watch.waitForFunction(() => window.velaPlayer.protocol() === 'll-hls' && window.velaPlayer.stats().playing, null, { timeout: 30000, polling: 250 });
    assert.equal(new URL(watch.url()).searchParams.get('protocol'), null, 'LL-HLS is the default: no ?protocol');
    assert.equal(await watch.evaluate(() => window.velaPlayer.pc), null, 'no peer connection on LL-HLS');

    await watch.check('input[name="protocol"][value="webrtc"]');
    assert.equal(new URL(watch.url()).searchParams.get('protocol'), 'webrtc', 'the address keeps the choice');
    await waitFor(
      async () => {
        const now = await webrtcPlayback(watch);
        return now.protocol === 'webrtc' && now.framesDecoded > 10 && now.audioPackets > 0 ? now : null;
      },
      { timeoutMs: 20000, intervalMs: 250, what: 'WebRTC to play again after the switch' },
    );

    // Lip sync off: a new session whose answer puts audio in a stream of its own, still playing both.
    const audioMsid = () => watch.evaluate(() => /a=msid:(\S+) audio/.exec(window.velaPlayer.pc?.remoteDescription?.sdp ?? '')?.[1] ?? null);
    assert.equal(await audioMsid(), name, 'lip-synced: audio shares the stream id');
    assert.equal(await watch.isChecked('#lip-sync'), true, 'the box shows the server default');
    await watch.uncheck('#lip-sync');
    assert.equal(new URL(watch.url()).searchParams.get('lip_sync'), 'off', 'the address keeps the choice');
    await waitFor(
      async () => {
        const now = await webrtcPlayback(watch);
        return now.protocol === 'webrtc' && now.framesDecoded > 10 && now.audioPackets > 0 && (await audioMsid()) === `${name}-audio` ? now : null;
      },
      { timeoutMs: 20000, intervalMs: 250, what: 'WebRTC without lip sync to play' },
    );
  });
  const refused = await vela.request(`/whep/${name}?lip_sync=maybe`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
  assert.equal(refused.status, 400, 'an unknown lip_sync value is refused');
  assert.match(refused.text(), /lip_sync/);
  await vela.stopCleanly();
});

e2eTest('an RTMP stream with B-frames plays over WHEP through its B-frame-free copy; LL-HLS keeps the source', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'bframes1';
  await publish(h, vela.rtmpUrl(name), { size: '640x360', bframes: true });
  await waitForStream(vela, name);
  const derived = await waitFor(
    async () => {
      const res = await vela.request('/api/v1/streams', { timeoutMs: 5000 });
      const stream = JSON.parse(res.text()).streams.find((s) => s.name === name);
      return stream?.derived_tracks.find((d) => d.rendition === 'webrtc') ?? null;
    },
    { timeoutMs: 15000, intervalMs: 250, what: 'the webrtc (B-frame-free) derived track' },
  );
  assert.equal(`${derived.width}x${derived.height}`, '640x360', 'same size as the source');
  const browser = await launchWebRtcChromium(h);
  await withPages(t, h, browser, async (newPage) => {
    const watch = await newPage('watch');
    // Passed through, B-frames decode in the wrong order and Chromium shows almost nothing
    // (34 frames in 30 s when measured); 90 frames means the re-encoded copy is what plays.
    const played = await watchOverWebRtc(watch, vela, name, { frames: 90, timeoutMs: 30000 });
    t.diagnostic(`WHEP in Chromium: ${JSON.stringify(played)}`);
  });
  // The multivariant playlist lists the source only: the copy is for WebRTC.
  const multivariant = (await vela.request(`/live/${name}/index.m3u8`)).text();
  assert.ok(!multivariant.includes('webrtc'), multivariant);
  await vela.stopCleanly();
});

e2eTest('WebRTC failures: the watch page falls back to LL-HLS, the studio shows the refusal', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'fallback1';
  await publish(h, vela.rtmpUrl(name), { size: '640x360' });
  await waitForStream(vela, name);
  const browser = await launchWebRtcChromium(h);
  await withPages(t, h, browser, async (newPage) => {
    // The WHEP POST cannot reach the server.
    const watch = await newPage('watch-aborted');
    await watch.route('**/whep/**', (route) => route.abort());
    await watch.goto(vela.url(`/watch/${name}?protocol=webrtc`), { waitUntil: 'load', timeout: 30000 });
    await watch.waitForFunction(() => window.velaPlayer.protocol() === 'll-hls' && window.velaPlayer.stats().playing, null, { timeout: 30000, polling: 250 });
    const why = await watch.evaluate(() => ({ reason: document.body.dataset.fallback, note: document.querySelector('#fallback').hidden ? '' : document.querySelector('#fallback').textContent }));
    assert.match(why.reason ?? '', /^WHEP: cannot reach/, 'fallback reason');
    assert.match(why.note, /playing LL-HLS instead/, 'the page says why');
    assert.equal(await watch.isChecked('input[name="protocol"][value="ll-hls"]'), true, 'the switch shows LL-HLS');

    // The server refuses: no such stream.
    const unknown = await newPage('watch-unknown');
    await unknown.goto(vela.url('/watch/nosuchstream?protocol=webrtc'), { waitUntil: 'load', timeout: 30000 });
    await unknown.waitForFunction(() => document.body.dataset.fallback, null, { timeout: 15000, polling: 100 });
    const refused = await unknown.evaluate(() => document.body.dataset.fallback);
    t.diagnostic(`unknown stream: ${refused}`);
    assert.match(refused, /^WHEP: the server refused \(4\d\d\)/, 'fallback reason names the refusal');
    assert.equal(await unknown.evaluate(() => window.velaPlayer.protocol()), 'll-hls');

    // The studio shows the server's own words when WHIP is refused.
    const studio = await newPage('studio-refused');
    await studio.route('**/whip/**', (route) => route.fulfill({ status: 403, contentType: 'text/plain', body: 'stream key not accepted' }));
    await studio.goto(vela.url('/studio?key=wrong&resolution=360'), { waitUntil: 'load', timeout: 30000 });
    await studio.waitForFunction(() => document.body.dataset.state === 'previewing', null, { timeout: 30000, polling: 100 });
    await studio.click('#go-live');
    await studio.waitForFunction(() => document.body.dataset.state === 'failed', null, { timeout: 15000, polling: 100 });
    assert.equal(await studio.textContent('#status'), 'Could not go live: the server refused (403): stream key not accepted');
    assert.equal(await studio.isEnabled('#go-live'), true, 'Go live can be pressed again');
  });
  await vela.stopCleanly();
});
