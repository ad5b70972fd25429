// Adaptive WHEP playback end to end: an RTMP 720p source transcoded to a 480p/360p ladder,
// played in Chromium over WHEP. A viewer starts on the rendition the server plans for a new
// viewer (the best rung at or under 2.5 Mbit/s: 480p, as the 3 Mbit/s source is above it)
// and decodes it at its size. On a link that loses a fifth of the packets (the test-only
// webrtc.test_drop_percent) it moves down to 360p at a keyframe: the picture changes size
// while frames keep decoding (one SSRC, contiguous sequence numbers), and the server logs
// the move.
import assert from 'node:assert/strict';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { waitForStream } from './lib/hls.mjs';
import { publish, startVela } from './lib/vela.mjs';
import { capturePageLog } from './lib/browser.mjs';
import { launchWebRtcChromium, watchOverWebRtc, webrtcPlayback } from './lib/webrtc.mjs';

const kLadder = '[{name="480p", height=480, video_kbps=1000}, {name="360p", height=360, video_kbps=600}]';

// vela with the ladder and an RTMP 720p source at a nominal 3 Mbit/s, once the source and
// both renditions are live.
async function startLadder(h, name, set = {}) {
  const vela = await startVela(h, { set: { 'transcode.enabled': 'true', 'transcode.ladder': kLadder, ...set } });
  await publish(h, vela.rtmpUrl(name), {
    size: '1280x720', gop: 60, maxSeconds: 170,
    extraOutputArgs: ['-b:v', '3000k', '-maxrate', '3000k', '-bufsize', '3000k'],
  });
  await waitFor(
    async () => {
      const got = await waitForStream(vela, name, { timeoutMs: 20000 });
      if (got.mv.variants.length < 3) throw new Error(`${got.mv.variants.length} variants`);
      return got;
    },
    { timeoutMs: 90000, intervalMs: 1000, what: 'the source and two renditions in the multivariant playlist' },
  );
  return vela;
}

// Runs fn(page) in a fresh Chromium page; prints the page log on failure.
async function withPage(t, h, fn) {
  const browser = await launchWebRtcChromium(h);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const log = [];
  try {
    const page = await context.newPage();
    capturePageLog(page, log);
    await fn(page);
  } catch (err) {
    t.diagnostic(log.join('\n'));
    throw err;
  } finally {
    await context.close();
  }
}

function receiverStats(page) {
  return page.evaluate(async () => {
    let out = null;
    (await window.velaPlayer.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out = { pliCount: s.pliCount, packetsLost: s.packetsLost, keyFramesDecoded: s.keyFramesDecoded, framesDecoded: s.framesDecoded };
    });
    return out;
  });
}

// The start as the server logged it: { rendition, rungs }.
function loggedStart(vela, name) {
  const m = vela.proc.output().match(new RegExp(`whep stream=${name} session=\\S+ starts on rendition (\\S+) \\(rungs:([^)]*)\\)`));
  return m ? { rendition: m[1], rungs: m[2].trim() } : null;
}

e2eTest('WHEP ABR: a Chromium viewer starts on the planned rendition at its size', { timeout: 180000 }, async (t, h) => {
  const name = 'abr';
  const vela = await startLadder(h, name);
  await withPage(t, h, async (page) => {
    const played = await watchOverWebRtc(page, vela, name, { frames: 20, timeoutMs: 40000 });
    t.diagnostic(`start: ${JSON.stringify(played)}`);
    const start = loggedStart(vela, name);
    assert.ok(start, 'the server logs the starting rendition');
    assert.equal(start.rendition, '480p', 'the best rung within 2.5 Mbit/s');
    assert.match(start.rungs, /^source@\d+k 480p@1000k 360p@600k$/, 'rungs best first, with their bitrates');
    assert.equal(`${played.width}x${played.height}`, '854x480', 'decoded at the 480p rendition size');
  });
  await vela.stopCleanly();
});

e2eTest('WHEP ABR: on a lossy link the viewer moves down at a keyframe and keeps playing', { timeout: 180000 }, async (t, h) => {
  const name = 'lossy';
  const vela = await startLadder(h, name, { 'webrtc.test_drop_percent': '20' });
  await withPage(t, h, async (page) => {
    const played = await watchOverWebRtc(page, vela, name, { frames: 10, timeoutMs: 40000 });
    t.diagnostic(`start: ${JSON.stringify(played)}`);
    assert.equal(loggedStart(vela, name)?.rendition, '480p');
    const before = await receiverStats(page);
    // 20 % loss is above the 10 % mark: down one rung (360p is the lowest) at its keyframe.
    const moved = await waitFor(
      async () => {
        const now = await webrtcPlayback(page);
        if (now.width !== 640) throw new Error(`still ${now.width}x${now.height}`);
        return now;
      },
      { timeoutMs: 30000, intervalMs: 250, what: 'the picture to change to 640x360' },
    );
    t.diagnostic(`after the move: ${JSON.stringify(moved)}`);
    const logged = vela.proc.output().match(new RegExp(`whep stream=${name} session=\\S+ rendition 480p -> 360p wanted: .*loss (\\S+)`));
    assert.ok(logged, 'the decision is logged');
    assert.ok(Number(logged[1]) > 0.1, `loss ${logged[1]} above 10 %`);
    assert.match(vela.proc.output(), new RegExp(`whep stream=${name} session=\\S+ rendition 480p -> 360p at keyframe`));
    // Frames go on decoding at the new size (NACKs repair the losses).
    const after = await waitFor(
      async () => {
        const now = await webrtcPlayback(page);
        return now.framesDecoded >= moved.framesDecoded + 30 ? now : null;
      },
      { timeoutMs: 30000, intervalMs: 250, what: '30 more frames decoded after the move' },
    );
    assert.equal(`${after.width}x${after.height}`, '640x360');
    const stats = await receiverStats(page);
    t.diagnostic(`receiver before ${JSON.stringify(before)} after ${JSON.stringify(stats)}`);
    assert.ok(stats.keyFramesDecoded > before.keyFramesDecoded, 'the 360p keyframe was decoded');
    // The viewer stays down: the lowest rung, and no step up on a link this lossy.
    await new Promise((r) => setTimeout(r, 8000));
    assert.equal((await webrtcPlayback(page)).width, 640, 'still 360p');
    assert.doesNotMatch(vela.proc.output(), new RegExp(`whep stream=${name} session=\\S+ rendition 360p -> `), 'no step up');
  });
  await vela.stopCleanly();
});
