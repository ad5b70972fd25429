#!/usr/bin/env node
// Reader for the glass-to-glass probe: opens a player page in headless Chromium, reads the time
// code out of every presented frame (requestVideoFrameCallback -> canvas -> decodeCode) and
// records latency = wall-clock time the frame is shown - sender's stamp. Writes a JSON summary.
//
//   node probe.mjs --url http://127.0.0.1:8080/watch/g2g --label vela --out vela.json
//                  [--size 640x360] [--warmup 10] [--seconds 60] [--startup-timeout 45]
//                  [--watch server:PID,sender:PID]  (CPU use of these process trees is reported)
//
// The page must expose window.velaPlayer = { video, hls } (Vela's /watch page does; so does
// nginx/player.html). Exits 0 with a summary, 1 if too few frames could be measured.
import { writeFileSync } from 'node:fs';
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
    samples: [], // [stampMs, latencyMs, wallDisplayMs, presentedFrames, margin]
    failures: [], // [wallMs, reason]
    player: [], // [wallMs, hls.js latency estimate (s) or null, buffered ahead (s)]
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
        if (r.ok) state.samples.push([r.ms, wallDisplay - r.ms, wallDisplay, md.presentedFrames, r.margin]);
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
    const estimate = hls && hls.liveSyncPosition !== null ? hls.latency : null;
    state.player.push([Date.now(), estimate, ahead]);
    const q = video.getVideoPlaybackQuality();
    state.quality = { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
  }, 1000);
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
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

const browser = await chromium.launch({ executablePath: opt.chromium, headless: true, args: kChromiumArgs, timeout: 60000 });
let exitCode = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageLog = [];
  page.on('console', (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageLog.push(`pageerror: ${e.message}`));
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
  const attempts = samples.length + failures.length;
  const summary = {
    label: opt.label,
    url: opt.url,
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
  if (opt.out) writeFileSync(opt.out, JSON.stringify(summary, null, 2));
  const f = (v) => (v === null ? '-' : `${Math.round(v)}`);
  log(
    `${summary.samples} frames in ${measureMs / 1000} s: p50 ${f(summary.latencyMs.p50)} ms, ` +
      `p95 ${f(summary.latencyMs.p95)} ms, max ${f(summary.latencyMs.max)} ms; ` +
      `${failures.length} decode failures; machine CPU ${(summary.machineCpuBusy * 100).toFixed(0)}% busy; ` +
      Object.entries(summary.processCores).map(([n, c]) => `${n} ${c.toFixed(2)} cores`).join(', '),
  );
  exitCode = samples.length >= (measureMs / 1000) * 5 ? 0 : 1;
  if (exitCode) log(`too few frames measured; page log:\n${pageLog.slice(-20).join('\n')}`);
} catch (err) {
  log(`failed: ${err.message}`);
} finally {
  await browser.close().catch(() => {});
}
process.exit(exitCode);
