// WebRTC helpers: Chromium with a fake camera and microphone driving /studio (WHIP) and
// /watch?protocol=webrtc (WHEP), the aiortc client (a second, independent WebRTC
// implementation), and ffprobe of the LL-HLS output of a WebRTC-published stream.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { kChromiumArgs } from './browser.mjs';
import { waitFor } from './harness.mjs';
import { runTool } from './media.mjs';
import { CHROMIUM, FFPROBE } from './vela.mjs';

/** Debian's python3 with python3-aiortc (the `python3` on PATH may be another one). */
export const PYTHON = process.env.AIORTC_PYTHON || '/usr/bin/python3';
const kAiortcClient = fileURLToPath(new URL('./aiortc_client.py', import.meta.url));

export const kWebRtcChromiumArgs = [
  ...kChromiumArgs,
  '--use-fake-device-for-media-stream', // a synthetic camera (moving pattern) and microphone (beeps)
  '--use-fake-ui-for-media-stream', // grant getUserMedia without a prompt
  '--allow-loopback-in-peer-connection',
];

/** Chromium able to capture (fake devices) and do WebRTC on loopback; closed at cleanup. */
export async function launchWebRtcChromium(h) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: kWebRtcChromiumArgs, timeout: 60000 });
  h.defer(() => browser.close());
  return browser;
}

/**
 * Opens /studio for `key` at 360p, waits for the camera preview, presses Go live and waits
 * until the page shows itself live (its peer connection is connected).
 */
export async function goLiveFromStudio(page, vela, key, { timeoutMs = 30000 } = {}) {
  await page.goto(vela.url(`/studio?key=${encodeURIComponent(key)}&resolution=360`), { waitUntil: 'load', timeout: timeoutMs });
  await page.waitForFunction(() => document.body.dataset.state === 'previewing', null, { timeout: timeoutMs, polling: 100 });
  await page.click('#go-live');
  await page.waitForFunction(() => ['live', 'failed'].includes(document.body.dataset.state), null, { timeout: timeoutMs, polling: 100 });
  const state = await page.evaluate(() => ({ state: document.body.dataset.state, status: document.querySelector('#status').textContent }));
  if (state.state !== 'live') throw new Error(`the studio did not go live: ${state.status}`);
}

/** What the studio sends: { bitrate, width, height, framesPerSecond, qualityLimitation }. */
export function studioStats(page) {
  return page.evaluate(() => window.velaStudio.stats());
}

/**
 * The WHEP receiver of a /watch page: frames decoded, audio and video packets received, the
 * live tracks it has, the protocol the page says it plays, and the latency estimate.
 */
export async function webrtcPlayback(page) {
  return page.evaluate(async () => {
    const player = window.velaPlayer;
    const pc = player.pc;
    const out = { protocol: player.protocol(), framesDecoded: 0, videoPackets: 0, audioPackets: 0, audioTrack: false, videoTrack: false, latency: null, width: 0, height: 0, renderedFrames: window.__velaRenderedFrames ?? 0 };
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        out.framesDecoded += s.framesDecoded ?? 0;
        out.videoPackets += s.packetsReceived ?? 0;
      } else if (s.kind === 'audio') {
        out.audioPackets += s.packetsReceived ?? 0;
      }
    });
    for (const receiver of pc.getReceivers()) {
      if (receiver.track?.readyState !== 'live') continue;
      if (receiver.track.kind === 'audio') out.audioTrack = true;
      if (receiver.track.kind === 'video') out.videoTrack = true;
    }
    const video = player.video;
    out.audioTrack &&= (video.srcObject?.getAudioTracks().length ?? 0) > 0; // attached to the <video>
    out.latency = player.webrtc()?.latency ?? null;
    out.width = video.videoWidth;
    out.height = video.videoHeight;
    return out;
  });
}

/** Counts frames the <video> actually presents (requestVideoFrameCallback) in window.__velaRenderedFrames. */
export function countRenderedFrames(page) {
  return page.evaluate(() => {
    const video = window.velaPlayer.video;
    window.__velaRenderedFrames = 0;
    const onFrame = () => {
      window.__velaRenderedFrames++;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
}

/**
 * Opens /watch/{name}?protocol=webrtc and waits until WebRTC plays with video frames
 * decoding and presented and audio packets arriving (grows by `frames` beyond the first
 * sample). Returns the last webrtcPlayback() sample.
 */
export async function watchOverWebRtc(page, vela, name, { frames = 30, timeoutMs = 30000 } = {}) {
  await page.goto(vela.url(`/watch/${encodeURIComponent(name)}?protocol=webrtc`), { waitUntil: 'load', timeout: timeoutMs });
  await page.waitForFunction(() => document.body.dataset.protocol || document.body.dataset.fallback, null, { timeout: timeoutMs, polling: 100 });
  const fallback = await page.evaluate(() => document.body.dataset.fallback ?? null);
  if (fallback) throw new Error(`the watch page fell back to LL-HLS: ${fallback}`);
  await countRenderedFrames(page);
  const first = await webrtcPlayback(page);
  return waitFor(
    async () => {
      const now = await webrtcPlayback(page);
      if (now.protocol !== 'webrtc') throw new Error(`protocol ${now.protocol}`);
      const ok = now.framesDecoded >= first.framesDecoded + frames && now.renderedFrames >= frames && now.audioPackets > first.audioPackets && now.audioTrack;
      if (!ok) throw new Error(`not yet: ${JSON.stringify(now)}`);
      return now;
    },
    { timeoutMs, intervalMs: 250, what: `WebRTC playback of ${name} (${frames} frames, audio packets)` },
  );
}

/** Starts the aiortc client (publish or play) against a WHIP/WHEP URL; a harness-tracked process. */
export function startAiortc(h, mode, url, { key, seconds = 10, name = `aiortc-${mode}` } = {}) {
  const args = [kAiortcClient, mode, url, '--seconds', String(seconds)];
  if (key) args.push('--key', key);
  return h.spawn(name, PYTHON, args);
}

/** Waits for an aiortc client to exit; resolves { code, result (its JSON line or null), output }. */
export async function aiortcResult(proc, timeoutMs) {
  const exit = await proc.waitExit(timeoutMs);
  if (!exit) throw new Error(`${proc.name} still running after ${timeoutMs} ms\n${proc.tail()}`);
  const json = proc.lines.map((l) => l.replace(/^\S+ out /, '')).reverse().find((l) => l.startsWith('{'));
  return { code: exit.code, result: json ? JSON.parse(json) : null, output: proc.tail() };
}

/** ffprobe of the stream's LL-HLS multivariant playlist: [{ codec_type, codec_name, ... }]. */
export async function probeHlsStreams(vela, name, { timeoutMs = 30000 } = {}) {
  const res = await runTool(
    FFPROBE,
    ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,width,height,sample_rate,channels', '-of', 'json', vela.playlistUrl(name)],
    { timeoutMs },
  );
  if (res.code !== 0) throw new Error(`ffprobe ${vela.playlistUrl(name)}: exit ${res.code}: ${res.stderr.trim()}`);
  return JSON.parse(res.stdout || '{}').streams ?? [];
}
