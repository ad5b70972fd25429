// WebRTC under packet loss: the server drops 5 % of media datagrams each way
// (webrtc.test_drop_percent, a test-only option, because this kernel has no netem), and a
// Chromium viewer of an RTMP stream must keep playing: NACKs are answered, lost keyframe
// pieces are repaired or a new keyframe is asked for, and no freeze lasts.
import assert from 'node:assert/strict';
import { e2eTest, sleep } from './lib/harness.mjs';
import { waitForStream } from './lib/hls.mjs';
import { publish, startVela } from './lib/vela.mjs';
import { launchWebRtcChromium, watchOverWebRtc } from './lib/webrtc.mjs';

// Chromium's own view of the video it receives.
function videoReceiveStats(page) {
  return page.evaluate(async () => {
    const stats = await window.velaPlayer.pc.getStats();
    let video = null;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') video = s;
    });
    return {
      framesDecoded: video?.framesDecoded ?? 0,
      packetsReceived: video?.packetsReceived ?? 0,
      packetsLost: video?.packetsLost ?? 0,
      nackCount: video?.nackCount ?? 0,
      freezeCount: video?.freezeCount ?? 0,
      totalFreezesDuration: video?.totalFreezesDuration ?? 0,
    };
  });
}

e2eTest('WHEP playback keeps going with 5 % packet loss each way (on a server without lip sync by default)', { timeout: 120000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'webrtc.test_drop_percent': 5, 'webrtc.lip_sync': false } });
  const name = 'lossy';
  await publish(h, vela.rtmpUrl(name), { size: '640x360', gop: 60, extraOutputArgs: ['-bf', '0'] });
  await waitForStream(vela, name);
  const browser = await launchWebRtcChromium(h);
  const page = await (await browser.newContext()).newPage();
  await watchOverWebRtc(page, vela, name, { frames: 30, timeoutMs: 45000 });
  // webrtc.lip_sync = false: the answer gives audio its own stream, and the page shows that.
  const sync = await page.evaluate(() => ({
    box: document.getElementById('lip-sync').checked,
    audioStream: /a=msid:(\S+) audio/.exec(window.velaPlayer.pc.remoteDescription.sdp)?.[1] ?? null,
  }));
  assert.deepEqual(sync, { box: false, audioStream: `${name}-audio` }, 'the server default without lip sync');

  // 20 s of playback, sampled every second: decoding must advance in every 2 s window.
  const samples = [await videoReceiveStats(page)];
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    samples.push(await videoReceiveStats(page));
  }
  const first = samples[0];
  const last = samples.at(-1);
  t.diagnostic(`first ${JSON.stringify(first)}`);
  t.diagnostic(`last ${JSON.stringify(last)}`);
  for (let i = 2; i < samples.length; i++) {
    const decoded = samples[i].framesDecoded - samples[i - 2].framesDecoded;
    assert.ok(decoded >= 15, `only ${decoded} frames decoded between ${i - 2} s and ${i} s (30 fps source)`);
  }
  // The loss was real and repaired: Chromium saw gaps and asked for them again.
  assert.ok(last.nackCount > first.nackCount, `no NACKs sent: ${JSON.stringify(last)}`);
  const decodedPerSecond = (last.framesDecoded - first.framesDecoded) / 20;
  assert.ok(decodedPerSecond >= 20, `decoded ${decodedPerSecond.toFixed(1)} fps over 20 s`);
  const frozen = last.totalFreezesDuration - first.totalFreezesDuration;
  assert.ok(frozen < 2, `frozen ${frozen.toFixed(2)} s of 20 s (${last.freezeCount - first.freezeCount} freezes)`);
});
