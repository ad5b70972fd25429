#!/usr/bin/env node
// Browser publisher for the glass-to-glass probe: headless Chromium draws the time code of
// code.mjs into a 2D canvas at a fixed rate by the wall clock (stamp = Date.now() just before the
// frame is drawn), captures it with canvas.captureStream, adds a WebAudio tone and publishes
// both over WHIP (RFC 9725) with Chromium's own WebRTC stack and H.264 encoder.
//
//   node whip_sender.mjs --endpoint http://127.0.0.1:8080/whip/g2g [--token g2g] [--size 640x360]
//                        [--fps 30] [--max-bitrate 2500000] [--out sender.json]
//
// Runs until SIGTERM/SIGINT, then ends the WHIP session (DELETE), closes its Chromium and, with
// --out, writes what the encoder reported (resolution, bitrate, encoder, quality limitation).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { codeBitsSource, layoutFor } from './code.mjs';

const { values: opt } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    token: { type: 'string' },
    size: { type: 'string', default: '640x360' },
    fps: { type: 'string', default: '30' },
    'max-bitrate': { type: 'string', default: '2500000' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.endpoint) throw new Error('need --endpoint http://HOST:PORT/whip/NAME');
const [width, height] = opt.size.split('x').map(Number);
const endpoint = new URL(opt.endpoint);
const token = opt.token ?? decodeURIComponent(endpoint.pathname.split('/').pop());

const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection', // the server's only candidate is 127.0.0.1
  // A page that is not in front must keep its timers and encoder at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

// Runs in the page: sets up canvas, tone, peer connection and WHIP, then draws frames forever.
async function startPublisher({ endpoint, token, width, height, fps, maxBitrate, layout, codeSource }) {
  const codeBits = new Function(codeSource)();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d', { alpha: false });
  const background = ctx.createLinearGradient(0, 0, width, 0);
  background.addColorStop(0, 'rgb(60,60,60)');
  background.addColorStop(1, 'rgb(160,160,160)');

  // Frames are captured when requestFrame() is called, so each drawn frame is sent exactly once.
  const stream = canvas.captureStream(0);
  const [video] = stream.getVideoTracks();
  video.contentHint = 'detail';
  const audioContext = new AudioContext({ sampleRate: 48000 });
  const tone = audioContext.createOscillator();
  tone.frequency.value = 440;
  const gain = audioContext.createGain();
  gain.gain.value = 0.2;
  const destination = audioContext.createMediaStreamDestination();
  tone.connect(gain).connect(destination);
  tone.start();
  await audioContext.resume();
  const media = new MediaStream([video, ...destination.stream.getAudioTracks()]);

  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const state = { connection: 'new', frames: 0, late: 0, stats: [], error: null, session: null };
  window.__sender = state;
  pc.addEventListener('connectionstatechange', () => (state.connection = pc.connectionState));
  const videoTransceiver = pc.addTransceiver(video, {
    direction: 'sendonly',
    streams: [media],
    sendEncodings: [{ maxBitrate, maxFramerate: fps }],
  });
  const h264 = RTCRtpSender.getCapabilities('video').codecs.filter(
    (c) => c.mimeType.toLowerCase() === 'video/h264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? ''),
  );
  if (!h264.length) throw new Error('this Chromium cannot encode H.264 (packetization-mode 1)');
  videoTransceiver.setCodecPreferences(h264);
  for (const track of destination.stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });

  // WHIP: one offer with all candidates (the server is ICE-lite, no trickle).
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 1000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription.sdp,
  });
  const answer = await response.text();
  if (response.status !== 201) throw new Error(`WHIP POST answered ${response.status}: ${answer.trim()}`);
  state.session = new URL(response.headers.get('Location'), endpoint).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  // Chromium's encoder starts low (bandwidth estimate); keep the resolution, let the rate adapt.
  const params = videoTransceiver.sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await videoTransceiver.sender.setParameters(params);

  const drawFrame = (index) => {
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);
    // A moving bar keeps the encoder honest (real motion, P-frames with content).
    const barW = Math.max(8, Math.floor(width / 40));
    ctx.fillStyle = 'rgb(200,200,200)';
    ctx.fillRect(Math.floor((index * 8) % (width - barW)), Math.floor(height * 0.55), barW, height);
    const ms = Date.now(); // the stamp: taken as the frame is drawn and handed to capture
    const bits = codeBits(ms, index % 8);
    const { cell, x0, y0, cols } = layout;
    for (let i = 0; i < bits.length; i++) {
      ctx.fillStyle = bits[i] ? '#fff' : '#000';
      ctx.fillRect(x0 + (i % cols) * cell, y0 + Math.floor(i / cols) * cell, cell, cell);
    }
    // "SS.mmm" of the stamp for people looking at a screenshot; the grid is what counts.
    const text = String(ms % 100000).padStart(5, '0');
    ctx.fillStyle = '#fff';
    ctx.font = `bold ${Math.floor(cell * 1.5)}px monospace`;
    ctx.textBaseline = 'top';
    ctx.fillText(`${text.slice(0, 2)}.${text.slice(2)}`, x0, y0 + layout.rows * cell + Math.floor(cell / 2));
    video.requestFrame();
  };

  const periodMs = 1000 / fps;
  const t0 = Date.now() + 20;
  let index = 0;
  const tick = () => {
    // Paced by the wall clock, like sender.mjs; a late timer skips no frame, it is counted.
    if (Date.now() - (t0 + index * periodMs) > periodMs) state.late++;
    drawFrame(index);
    state.frames = ++index;
    setTimeout(tick, Math.max(0, t0 + index * periodMs - Date.now()));
  };
  setTimeout(tick, Math.max(0, t0 - Date.now()));

  // What the encoder does, once a second.
  setInterval(async () => {
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      state.stats.push({
        at: Date.now(),
        width: s.frameWidth ?? 0,
        height: s.frameHeight ?? 0,
        framesEncoded: s.framesEncoded ?? 0,
        keyFramesEncoded: s.keyFramesEncoded ?? 0,
        bytesSent: s.bytesSent ?? 0,
        targetBitrate: s.targetBitrate ?? null,
        totalEncodeTime: s.totalEncodeTime ?? 0,
        totalPacketSendDelay: s.totalPacketSendDelay ?? 0,
        packetsSent: s.packetsSent ?? 0,
        encoder: s.encoderImplementation ?? null,
        limitation: s.qualityLimitationReason ?? null,
        pliCount: s.pliCount ?? 0,
        nackCount: s.nackCount ?? 0,
      });
      if (state.stats.length > 600) state.stats.shift();
    });
  }, 1000);
}

const log = (msg) => process.stderr.write(`whip-sender: ${msg}\n`);
// Signals are ours to handle: the session is ended and the summary written before Chromium closes.
const browser = await chromium.launch({
  executablePath: opt.chromium,
  headless: true,
  args: kChromiumArgs,
  timeout: 60000,
  handleSIGTERM: false,
  handleSIGINT: false,
  handleSIGHUP: false,
});
let stopping = false;
let exitCode = 0;
let page = null;

async function summary() {
  const s = await page.evaluate(() => window.__sender).catch(() => null);
  if (!s) return null;
  const first = s.stats.find((x) => x.framesEncoded > 0);
  const last = s.stats[s.stats.length - 1];
  const spanS = first && last && last.at > first.at ? (last.at - first.at) / 1000 : null;
  const frames = spanS ? last.framesEncoded - first.framesEncoded : 0;
  return {
    connection: s.connection,
    framesDrawn: s.frames,
    framesDrawnLate: s.late,
    encoder: last?.encoder ?? null,
    resolutions: [...new Set(s.stats.filter((x) => x.width).map((x) => `${x.width}x${x.height}`))],
    qualityLimitations: [...new Set(s.stats.map((x) => x.limitation).filter(Boolean))],
    keyFramesEncoded: last?.keyFramesEncoded ?? 0,
    pliReceived: last?.pliCount ?? 0,
    nackReceived: last?.nackCount ?? 0,
    // Averages over the recorded stats window (up to the last 10 minutes).
    bitrate: spanS ? ((last.bytesSent - first.bytesSent) * 8) / spanS : null,
    encodeMsPerFrame: frames ? ((last.totalEncodeTime - first.totalEncodeTime) * 1000) / frames : null,
    packetSendDelayMs: last && last.packetsSent > first.packetsSent
      ? ((last.totalPacketSendDelay - first.totalPacketSendDelay) * 1000) / (last.packetsSent - first.packetsSent)
      : null,
    fps: spanS ? frames / spanS : null,
    targetBitrate: last?.targetBitrate ?? null,
  };
}

async function stop(reason) {
  if (stopping) return;
  stopping = true;
  const s = page ? await summary() : null;
  if (s) {
    log(`${reason}; ${JSON.stringify(s)}`);
    if (opt.out) writeFileSync(opt.out, JSON.stringify(s, null, 2));
  } else {
    log(reason);
  }
  const session = page ? await page.evaluate(() => window.__sender?.session ?? null).catch(() => null) : null;
  if (session) {
    await fetch(session, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) }).catch(() => {});
  }
  await browser.close().catch(() => {});
  process.exit(exitCode);
}
process.on('SIGTERM', () => void stop('signal SIGTERM'));
process.on('SIGINT', () => void stop('signal SIGINT'));

try {
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => log(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
  // An empty page at the server's origin, so the WHIP POST is same-origin (no CORS involved).
  const pageUrl = new URL('/__g2g_whip_sender', endpoint).href;
  await page.route(pageUrl, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>g2g WHIP sender</title><body style="margin:0">' }),
  );
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });
  const layout = layoutFor(width, height);
  await page.evaluate(startPublisher, {
    endpoint: endpoint.href,
    token,
    width,
    height,
    fps: Number(opt.fps),
    maxBitrate: Number(opt['max-bitrate']),
    layout,
    codeSource: codeBitsSource(),
  });
  log(`publishing ${width}x${height} at ${opt.fps} fps to ${endpoint.href}`);
  // Report the encoder's state every 10 s; stop if the connection fails.
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10000));
    if (stopping) break;
    const s = await page.evaluate(() => {
      const st = window.__sender;
      return { connection: st.connection, frames: st.frames, late: st.late, last: st.stats[st.stats.length - 1] ?? null };
    });
    const l = s.last;
    log(
      `${s.connection}; ${s.frames} frames drawn (${s.late} late)` +
        (l ? `; encoder ${l.encoder} ${l.width}x${l.height}, target ${Math.round((l.targetBitrate ?? 0) / 1000)} kb/s, limitation ${l.limitation}` : ''),
    );
    if (s.connection === 'failed' || s.connection === 'closed') {
      exitCode = 1;
      await stop(`connection ${s.connection}`);
    }
  }
} catch (err) {
  exitCode = 1;
  await stop(`failed: ${err.message}`);
}
