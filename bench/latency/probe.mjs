#!/usr/bin/env node
// Reader for the glass-to-glass probe: opens a player page in headless Chromium, reads the time
// code out of every presented frame (requestVideoFrameCallback -> canvas -> decodeCode) and
// records latency = wall-clock time the frame is shown - sender's stamp. Writes a JSON summary.
//
//   node probe.mjs --url http://127.0.0.1:8080/watch/g2g --label vela --out vela.json
//                  [--size 640x360] [--warmup 10] [--seconds 60] [--startup-timeout 45]
//                  [--watch server:PID,sender:PID]  (CPU use of these process trees is reported)
//                  [--expect-protocol webrtc]  (fail unless the page plays this protocol)
//                  [--ttff 5]  (after the measurement, reload the page this many times and
//                               record the time from navigation to the first presented frame)
//                  [--serve-page whep_player.html]  (answer --url's path with this file, so a
//                               page of ours runs at the server's origin)
//
// The page must expose window.velaPlayer = { video, hls } (Vela's /watch page does; so does
// nginx/player.html). On WebRTC (velaPlayer.pc set) the receiver's getStats() and the frame
// metadata's receiveTime are recorded too, to split the latency at the moment of reception.
// Exits 0 with a summary, 1 if too few frames could be measured.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { decodeCode, layoutFor } from './code.mjs';
import { treeCpuSeconds } from './cputree.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    label: { type: 'string', default: 'player' },
    out: { type: 'string' },
    size: { type: 'string', default: '640x360' },
    warmup: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    'startup-timeout': { type: 'string', default: '45' },
    'expect-protocol': { type: 'string' },
    ttff: { type: 'string', default: '0' },
    'serve-page': { type: 'string' },
    // Other process trees whose CPU use over the measurement window is reported: name:pid,...
    watch: { type: 'string', default: '' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.url) throw new Error('need --url');
const [width, height] = opt.size.split('x').map(Number);
const layout = layoutFor(width, height);
const warmupMs = Number(opt.warmup) * 1000;
const measureMs = Number(opt.seconds) * 1000;
const startupMs = Number(opt['startup-timeout']) * 1000;
// The reader is this process and its Chromium; the others come from --watch.
const watched = [['reader (chromium + probe)', process.pid]];
for (const item of opt.watch.split(',').filter(Boolean)) {
  const [name, pid] = item.split(':');
  watched.push([name, Number(pid)]);
}

const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection', // WHEP: the server's only candidate is 127.0.0.1
];

// Runs in the page. Everything it needs arrives as arguments (decodeCode as source text).
function installProbe({ layout, decodeSource }) {
  const decode = new Function(`return (${decodeSource})`)();
  const video = window.velaPlayer.video;
  const w = layout.x0 + layout.cols * layout.cell;
  const h = layout.y0 + layout.rows * layout.cell;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const state = {
    // [stampMs, latencyMs, wallDisplayMs, presentedFrames, margin, receive->display ms (WebRTC)]
    samples: [],
    failures: [], // [wallMs, reason]
    player: [], // [wallMs, player's latency estimate (s) or null, buffered ahead (s)]
    rtc: [], // [wallMs, receiver stats (cumulative)], WebRTC only
    quality: null,
  };
  window.__g2g = state;
  const onFrame = (_now, md) => {
    // Wall-clock time at which this frame is expected on screen.
    const wallDisplay = Date.now() + (md.expectedDisplayTime - performance.now());
    try {
      const scale = video.videoWidth / layout.width;
      if (!scale) {
        state.failures.push([Date.now(), 'size']);
      } else {
        ctx.drawImage(video, 0, 0, w * scale, h * scale, 0, 0, w, h);
        const px = ctx.getImageData(0, 0, w, h).data;
        const getLuma = (x0, y0, rw, rh) => {
          let sum = 0;
          for (let y = y0; y < y0 + rh; y++) {
            for (let x = x0; x < x0 + rw; x++) {
              const i = (y * w + x) * 4;
              sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
            }
          }
          return sum / (rw * rh);
        };
        const r = decode(getLuma, layout);
        // WebRTC frames carry the time their last packet arrived (same clock as performance.now()).
        const held = md.receiveTime === undefined ? null : md.expectedDisplayTime - md.receiveTime;
        if (r.ok) state.samples.push([r.ms, wallDisplay - r.ms, wallDisplay, md.presentedFrames, r.margin, held]);
        else state.failures.push([Date.now(), r.reason]);
      }
    } catch (err) {
      state.failures.push([Date.now(), `exception: ${err.message}`]);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  setInterval(() => {
    const hls = window.velaPlayer.hls;
    let ahead = 0;
    const b = video.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= video.currentTime && video.currentTime <= b.end(i)) ahead = b.end(i) - video.currentTime;
    }
    // hls.js's estimate, or on WebRTC the page's own (jitter buffer + half the RTT).
    const estimate = hls && hls.liveSyncPosition !== null ? hls.latency : (window.velaPlayer.webrtc?.()?.latency ?? null);
    state.player.push([Date.now(), estimate, ahead]);
    const q = video.getVideoPlaybackQuality();
    state.quality = { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
  }, 1000);
  setInterval(async () => {
    const pc = window.velaPlayer.pc;
    if (!pc) return;
    const report = await pc.getStats();
    const entries = new Map();
    report.forEach((e) => entries.set(e.id, e));
    const out = { video: null, audio: null, playout: null, rtt: null };
    const keys = [
      'jitterBufferDelay', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount',
      'framesDecoded', 'framesDropped', 'framesReceived', 'totalDecodeTime', 'totalProcessingDelay',
      'totalAssemblyTime', 'freezeCount', 'totalFreezesDuration', 'packetsReceived', 'packetsLost', 'nackCount',
      'pliCount', 'firCount', 'frameWidth', 'frameHeight', 'concealedSamples', 'totalSamplesReceived',
      'insertedSamplesForDeceleration', 'removedSamplesForAcceleration',
      'jitter', // RTP interarrival jitter (s), as a receiver report would carry it
    ];
    for (const e of entries.values()) {
      if (e.type === 'inbound-rtp' && (e.kind === 'video' || e.kind === 'audio')) {
        out[e.kind] = Object.fromEntries(keys.filter((k) => e[k] !== undefined).map((k) => [k, e[k]]));
      } else if (e.type === 'media-playout' && e.kind === 'audio') {
        out.playout = { totalPlayoutDelay: e.totalPlayoutDelay, totalSamplesCount: e.totalSamplesCount };
      } else if (e.type === 'transport' && e.selectedCandidatePairId) {
        out.rtt = entries.get(e.selectedCandidatePairId)?.currentRoundTripTime ?? null;
      }
    }
    state.rtc.push([Date.now(), out]);
  }, 1000);
}

// Runs in every page loaded after the measurement: notes the first presented frame and, on
// WHEP, when the offer was POSTed (resource timing). Times are ms since navigation start.
function installFirstFrameProbe() {
  window.__ttff = null;
  document.addEventListener('DOMContentLoaded', () => {
    const video = window.velaPlayer?.video ?? document.querySelector('video');
    if (!video) return;
    video.requestVideoFrameCallback((_now, md) => {
      const whep = performance.getEntriesByType('resource').find((e) => /\/whep\//.test(e.name));
      window.__ttff = {
        firstFrameMs: md.expectedDisplayTime,
        whepPostMs: whep ? whep.startTime : null,
        whepAnsweredMs: whep ? whep.responseEnd : null,
        scriptsDoneMs: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventStart ?? null,
      };
    });
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

// Receiver figures over the window from two cumulative getStats() samples (ms per frame).
function rtcWindow(first, last) {
  if (!first || !last) return null;
  const per = (kind, num, den, scale = 1000) => {
    const a = first[kind];
    const b = last[kind];
    if (!a || !b || b[num] === undefined || !(b[den] - a[den] > 0)) return null;
    return ((b[num] - a[num]) * scale) / (b[den] - a[den]);
  };
  const delta = (kind, key) => (first[kind] && last[kind] && last[kind][key] !== undefined ? last[kind][key] - first[kind][key] : null);
  return {
    videoJitterBufferMs: per('video', 'jitterBufferDelay', 'jitterBufferEmittedCount'),
    videoJitterBufferTargetMs: per('video', 'jitterBufferTargetDelay', 'jitterBufferEmittedCount'),
    videoJitterBufferMinimumMs: per('video', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount'),
    videoDecodeMs: per('video', 'totalDecodeTime', 'framesDecoded'),
    // First packet received -> decoded (includes the jitter buffer and assembly).
    videoProcessingMs: per('video', 'totalProcessingDelay', 'framesDecoded'),
    audioJitterBufferMs: per('audio', 'jitterBufferDelay', 'jitterBufferEmittedCount'),
    audioJitterBufferTargetMs: per('audio', 'jitterBufferTargetDelay', 'jitterBufferEmittedCount'),
    // Audio from the jitter buffer to the output device (media-playout stats).
    audioPlayoutDelayMs: per('playout', 'totalPlayoutDelay', 'totalSamplesCount'),
    videoFramesDecoded: delta('video', 'framesDecoded'),
    videoFramesDropped: delta('video', 'framesDropped'),
    videoFreezes: delta('video', 'freezeCount'),
    videoPacketsLost: delta('video', 'packetsLost'),
    videoNacks: delta('video', 'nackCount'),
    videoPlis: delta('video', 'pliCount'),
    audioPacketsLost: delta('audio', 'packetsLost'),
    audioConcealedSamples: delta('audio', 'concealedSamples'),
    audioSamplesRemovedToCatchUp: delta('audio', 'removedSamplesForAcceleration'),
    audioSamplesInsertedToSlowDown: delta('audio', 'insertedSamplesForDeceleration'),
    resolution: last.video ? `${last.video.frameWidth}x${last.video.frameHeight}` : null,
    videoInterarrivalJitterMs: last.video?.jitter === undefined ? null : last.video.jitter * 1000,
    audioInterarrivalJitterMs: last.audio?.jitter === undefined ? null : last.audio.jitter * 1000,
    rttMs: last.rtt === null ? null : last.rtt * 1000,
  };
}

function cpuTimes() {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (msg) => process.stderr.write(`probe[${opt.label}]: ${msg}\n`);

// Loads the page ttffRuns more times (a fresh navigation each, the browser already warm) and
// returns the times to the first presented frame.
async function measureFirstFrames(page) {
  await page.addInitScript(installFirstFrameProbe);
  const runs = [];
  for (let i = 0; i < ttffRuns; i++) {
    await page.goto(opt.url, { waitUntil: 'commit', timeout: 30000 });
    const t0 = Date.now();
    let r = null;
    while (r === null && Date.now() - t0 < 15000) {
      await sleep(100);
      r = await page.evaluate(() => window.__ttff).catch(() => null);
    }
    if (r === null) {
      log(`load ${i + 1}: no frame within 15 s`);
      runs.push(null);
      continue;
    }
    await sleep(1500); // let the page settle (its protocol flag is set a little after the first frame)
    const p = await pageProtocol(page);
    runs.push({ ...r, protocol: p.protocol, fallback: p.fallback });
  }
  const ok = runs.filter((r) => r && !r.fallback && (!expectProtocol || r.protocol === expectProtocol));
  const stats = (values) => {
    const v = values.filter((x) => x !== null).sort((a, b) => a - b);
    return v.length ? { p50: percentile(v, 50), max: v[v.length - 1], min: v[0], n: v.length } : null;
  };
  return {
    runs,
    failed: runs.length - ok.length,
    fromNavigationMs: stats(ok.map((r) => r.firstFrameMs)),
    fromWhepPostMs: stats(ok.map((r) => (r.whepPostMs === null ? null : r.firstFrameMs - r.whepPostMs))),
    fromWhepAnswerMs: stats(ok.map((r) => (r.whepAnsweredMs === null ? null : r.firstFrameMs - r.whepAnsweredMs))),
  };
}

const browser = await chromium.launch({ executablePath: opt.chromium, headless: true, args: kChromiumArgs, timeout: 60000 });
const ttffRuns = Number(opt.ttff);
const expectProtocol = opt['expect-protocol'];
// The page's own protocol and fallback note (Vela's /watch), null elsewhere.
const pageProtocol = (page) =>
  page.evaluate(() => ({
    protocol: window.velaPlayer?.protocol?.() ?? null,
    fallback: document.body.dataset.fallback ?? null,
  }));
let exitCode = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageLog = [];
  page.on('console', (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageLog.push(`pageerror: ${e.message}`));
  if (opt['serve-page']) {
    const body = readFileSync(opt['serve-page'], 'utf8');
    const target = new URL(opt.url);
    await page.route(
      (u) => u.origin === target.origin && u.pathname === target.pathname,
      (route) => route.fulfill({ status: 200, contentType: 'text/html', body }),
    );
  }
  const tOpen = Date.now();
  await page.goto(opt.url, { waitUntil: 'load', timeout: 30000 });
  await page.waitForFunction(() => window.velaPlayer && window.velaPlayer.video, null, { timeout: 30000 });
  await page.evaluate(installProbe, { layout, decodeSource: decodeCode.toString() });

  // Wait for the first decoded frame, then warm up, then measure.
  let firstWall = null;
  while (firstWall === null) {
    if (Date.now() - tOpen > startupMs) throw new Error(`no decodable frame within ${startupMs / 1000} s`);
    await sleep(250);
    firstWall = await page.evaluate(() => (window.__g2g.samples.length ? window.__g2g.samples[0][2] : null));
  }
  const startupS = (firstWall - tOpen) / 1000;
  log(`first frame ${startupS.toFixed(2)} s after opening the page; warming up ${warmupMs / 1000} s`);
  const checkProtocol = async () => {
    if (!expectProtocol) return;
    const p = await pageProtocol(page);
    if (p.fallback) throw new Error(`the page fell back from ${expectProtocol}: ${p.fallback}`);
    if (p.protocol !== null && p.protocol !== expectProtocol) throw new Error(`the page plays ${p.protocol}, not ${expectProtocol}`);
  };
  await checkProtocol();
  const windowStart = firstWall + warmupMs;
  const windowEnd = windowStart + measureMs;
  while (Date.now() < windowStart) await sleep(200);
  const cpu0 = cpuTimes();
  const tree0 = treeCpuSeconds(watched.map(([, pid]) => pid));
  const quality0 = await page.evaluate(() => {
    const q = window.velaPlayer.video.getVideoPlaybackQuality();
    return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
  });
  let lastReport = Date.now();
  while (Date.now() < windowEnd + 500) {
    await sleep(500);
    if (Date.now() - lastReport >= 10000) {
      lastReport = Date.now();
      const s = await page.evaluate(() => {
        const a = window.__g2g.samples;
        return a.length ? a[a.length - 1][1] : null;
      });
      log(`${Math.round((Date.now() - windowStart) / 1000)} s measured, current latency ${s} ms`);
    }
  }
  const cpu1 = cpuTimes();
  const tree1 = treeCpuSeconds(watched.map(([, pid]) => pid));
  await checkProtocol();
  const protocolPlayed = (await pageProtocol(page)).protocol;
  const windowS = (Date.now() - windowStart) / 1000;
  const data = await page.evaluate(() => ({
    ...window.__g2g,
    qualityNow: (() => {
      const q = window.velaPlayer.video.getVideoPlaybackQuality();
      return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
    })(),
  }));

  const inWindow = (t) => t >= windowStart && t < windowEnd;
  const samples = data.samples.filter((s) => inWindow(s[2]));
  const failures = data.failures.filter((f) => inWindow(f[0]));
  const lat = samples.map((s) => s[1]).sort((a, b) => a - b);
  let outOfOrder = 0;
  let stalls = 0;
  let longestGapMs = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i][0] <= samples[i - 1][0]) outOfOrder++;
    const gap = samples[i][2] - samples[i - 1][2];
    longestGapMs = Math.max(longestGapMs, gap);
    if (gap > 250) stalls++;
  }
  const estimates = data.player.filter((p) => inWindow(p[0]) && p[1] !== null).map((p) => p[1] * 1000).sort((a, b) => a - b);
  const buffers = data.player.filter((p) => inWindow(p[0])).map((p) => p[2] * 1000).sort((a, b) => a - b);
  const held = samples.map((s) => s[5]).filter((v) => v !== null).sort((a, b) => a - b);
  const beforeReceive = samples.filter((s) => s[5] !== null).map((s) => s[1] - s[5]).sort((a, b) => a - b);
  const rtcIn = data.rtc.filter((r) => inWindow(r[0]));
  const rtc = rtcIn.length >= 2 ? rtcWindow(rtcIn[0][1], rtcIn[rtcIn.length - 1][1]) : null;
  const attempts = samples.length + failures.length;
  const summary = {
    label: opt.label,
    url: opt.url,
    protocol: protocolPlayed,
    size: opt.size,
    warmupS: warmupMs / 1000,
    measureS: measureMs / 1000,
    startupS,
    samples: samples.length,
    decodeFailures: failures.length,
    decodeFailureRate: attempts ? failures.length / attempts : null,
    failureReasons: failures.reduce((acc, f) => ({ ...acc, [f[1]]: (acc[f[1]] ?? 0) + 1 }), {}),
    latencyMs: {
      min: lat[0] ?? null,
      p50: percentile(lat, 50),
      p95: percentile(lat, 95),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1] ?? null,
      mean: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null,
    },
    outOfOrderFrames: outOfOrder,
    gapsOver250Ms: stalls,
    longestGapMs,
    playerEstimateMs: { p50: percentile(estimates, 50), p95: percentile(estimates, 95), n: estimates.length },
    bufferAheadMs: { p50: percentile(buffers, 50) },
    // WebRTC: the latency split at the frame's reception (its last packet, receiveTime):
    // stamp -> received (capture, encode, send, server, network) and received -> on screen
    // (jitter buffer, decode, render), plus the receiver's getStats() averages over the window.
    stampToReceiveMs: held.length ? { p50: percentile(beforeReceive, 50), p95: percentile(beforeReceive, 95) } : null,
    receiveToDisplayMs: held.length ? { p50: percentile(held, 50), p95: percentile(held, 95) } : null,
    webrtc: rtc,
    droppedFrames: data.qualityNow.dropped - quality0.dropped,
    decodedFrames: data.qualityNow.total - quality0.total,
    // Share of all cores busy during the window (1.0 = both cores), and per watched process tree
    // the cores it used on average (1.0 = one full core).
    machineCpuBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
    machineCores: os.cpus().length,
    processCores: Object.fromEntries(watched.map(([name, pid]) => [name, (tree1[pid] - tree0[pid]) / windowS])),
    loadAverage: os.loadavg(),
    pageLog: pageLog.slice(-20),
  };
  if (ttffRuns > 0) summary.timeToFirstFrame = await measureFirstFrames(page);
  if (opt.out) writeFileSync(opt.out, JSON.stringify(summary, null, 2));
  const f = (v) => (v === null ? '-' : `${Math.round(v)}`);
  log(
    `${summary.samples} frames in ${measureMs / 1000} s: p50 ${f(summary.latencyMs.p50)} ms, ` +
      `p95 ${f(summary.latencyMs.p95)} ms, max ${f(summary.latencyMs.max)} ms; ` +
      `${failures.length} decode failures; machine CPU ${(summary.machineCpuBusy * 100).toFixed(0)}% busy; ` +
      Object.entries(summary.processCores).map(([n, c]) => `${n} ${c.toFixed(2)} cores`).join(', '),
  );
  const t = summary.timeToFirstFrame;
  if (t) {
    log(
      `time to first frame over ${t.runs.length} loads: from navigation p50 ${f(t.fromNavigationMs.p50)} ms, ` +
        `max ${f(t.fromNavigationMs.max)} ms` +
        (t.fromWhepPostMs ? `; from the WHEP POST p50 ${f(t.fromWhepPostMs.p50)} ms, max ${f(t.fromWhepPostMs.max)} ms` : ''),
    );
  }
  exitCode = samples.length >= (measureMs / 1000) * 5 ? 0 : 1;
  if (exitCode) log(`too few frames measured; page log:\n${pageLog.slice(-20).join('\n')}`);
} catch (err) {
  log(`failed: ${err.message}`);
} finally {
  await browser.close().catch(() => {});
}
process.exit(exitCode);
