#!/usr/bin/env node
// Publisher for the glass-to-glass probe: generates raw yuv420p frames at a fixed rate by the
// wall clock, stamps each with Date.now() taken right before the frame is written to ffmpeg's
// stdin, and lets ffmpeg (libx264 zerolatency + AAC sine) push them over RTMP (or SRT, as
// MPEG-TS, for an srt:// URL).
//
//   node sender.mjs --url rtmp://127.0.0.1:1935/live/g2g [--size 640x360] [--fps 30] [--gop 30]
//                   [--seconds 0 (= until SIGTERM)] [--out file.mkv (instead of RTMP, for the self-test)]
//                   [--start-ms N (fake clock start, self-test only)] [--frames N]
//
// Stops on SIGTERM/SIGINT: closes ffmpeg's stdin, waits briefly, then signals ffmpeg by PID.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { drawCode, layoutFor } from './code.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string' },
    size: { type: 'string', default: '640x360' },
    fps: { type: 'string', default: '30' },
    gop: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '0' },
    frames: { type: 'string', default: '0' },
    'start-ms': { type: 'string' },
    crf: { type: 'string', default: '23' },
    ffmpeg: { type: 'string', default: process.env.FFMPEG || '/usr/bin/ffmpeg' },
  },
});
if (!opt.url && !opt.out) throw new Error('need --url rtmp://... or --out FILE');

const [width, height] = opt.size.split('x').map(Number);
const fps = Number(opt.fps);
const gop = Number(opt.gop);
const layout = layoutFor(width, height);
const periodMs = 1000 / fps;
const fakeClock = opt['start-ms'] !== undefined; // self-test: deterministic stamps, no pacing
const maxFrames = Number(opt.frames) || (Number(opt.seconds) > 0 ? Math.round(Number(opt.seconds) * fps) : Infinity);

const args = [
  '-hide_banner', '-nostats', '-loglevel', 'warning',
  '-probesize', '32', '-analyzeduration', '0',
  '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', '-',
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
  '-map', '0:v', '-map', '1:a',
  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-crf', opt.crf,
  '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
  '-c:a', 'aac', '-b:a', '96k',
];
// -shortest: the sine never ends, so without it ffmpeg would keep publishing audio after stdin closes.
args.push('-shortest');
if (opt.out) args.push('-y', opt.out);
else if (opt.url.startsWith('srt://')) args.push('-f', 'mpegts', opt.url);  // SRT carries MPEG-TS
else args.push('-f', 'flv', opt.url);

const ffmpeg = spawn(opt.ffmpeg, args, { stdio: ['pipe', 'inherit', 'inherit'] });
let ffmpegExited = false;
const ffmpegDone = new Promise((resolve) => ffmpeg.on('exit', (code, signal) => {
  ffmpegExited = true;
  resolve({ code, signal });
}));
ffmpeg.stdin.on('error', () => {}); // EPIPE when ffmpeg dies first; the exit handler reports it

// Static background (grey gradient) built once; each frame copies it and draws on top.
const ySize = width * height;
const cSize = (width / 2) * (height / 2);
const background = Buffer.alloc(ySize + 2 * cSize, 128);
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) background[y * width + x] = 60 + Math.floor((100 * x) / width);
}

// Seven-segment digits so a human can read the clock in a screenshot (the grid is what counts).
const kSegments = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg'];
function drawDigit(yPlane, digit, px, py, w, h, t) {
  const rect = (x, y, rw, rh) => {
    for (let yy = y; yy < y + rh; yy++) yPlane.fill(235, yy * width + x, yy * width + x + rw);
  };
  const half = Math.floor(h / 2);
  for (const s of kSegments[digit]) {
    if (s === 'a') rect(px, py, w, t);
    if (s === 'b') rect(px + w - t, py, t, half);
    if (s === 'c') rect(px + w - t, py + half, t, h - half);
    if (s === 'd') rect(px, py + h - t, w, t);
    if (s === 'e') rect(px, py + half, t, h - half);
    if (s === 'f') rect(px, py, t, half);
    if (s === 'g') rect(px, py + half - Math.floor(t / 2), w, t);
  }
}

function paintFrame(frame, index) {
  background.copy(frame);
  // A moving bar keeps the encoder honest (real motion, P-frames with content).
  const barW = Math.max(8, Math.floor(width / 40));
  const barX = Math.floor((index * 8) % (width - barW));
  const barY0 = Math.floor(height * 0.55);
  for (let y = barY0; y < height; y++) frame.fill(200, y * width + barX, y * width + barX + barW);
}

function paintClock(frame, ms, index) {
  drawCode(frame, layout, ms, index % 8);
  // "SS.mmm" of the stamp, below the grid.
  const text = String(ms % 100000).padStart(5, '0');
  const dh = Math.floor(layout.cell * 1.5);
  const dw = Math.floor(dh / 2);
  const t = Math.max(3, Math.floor(dh / 10));
  let x = layout.x0;
  const y = layout.y0 + layout.rows * layout.cell + Math.floor(layout.cell / 2);
  if (y + dh > height) return;
  for (let i = 0; i < text.length; i++) {
    drawDigit(frame, Number(text[i]), x, y, dw, dh, t);
    x += dw + t * 2;
    if (i === 1) {
      for (let yy = y + dh - t; yy < y + dh; yy++) frame.fill(235, yy * width + x, yy * width + x + t);
      x += t * 3;
    }
  }
}

let stopping = false;
let written = 0;
let backpressured = 0;
let late = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function stop(reason) {
  if (stopping) return;
  stopping = true;
  ffmpeg.stdin.end();
  const timer = setTimeout(() => { if (!ffmpegExited) ffmpeg.kill('SIGTERM'); }, 3000);
  const killTimer = setTimeout(() => { if (!ffmpegExited) ffmpeg.kill('SIGKILL'); }, 6000);
  const { code, signal } = await ffmpegDone;
  clearTimeout(timer);
  clearTimeout(killTimer);
  process.stderr.write(
    `sender: ${reason}; ${written} frames written, ${late} written >1 frame late, ` +
      `${backpressured} waited >half a period for ffmpeg to read; ffmpeg exit ${code ?? signal}\n`,
  );
  process.exit(code === 0 || signal === 'SIGTERM' || reason.startsWith('signal') ? 0 : 1);
}
process.on('SIGTERM', () => stop('signal SIGTERM'));
process.on('SIGINT', () => stop('signal SIGINT'));
ffmpegDone.then(({ code, signal }) => { if (!stopping) stop(`ffmpeg exited early (${code ?? signal})`); });

const frames = [Buffer.alloc(background.length), Buffer.alloc(background.length)];
const t0 = Date.now() + 50;
for (let i = 0; i < maxFrames && !stopping; i++) {
  const frame = frames[i % 2];
  paintFrame(frame, i);
  if (!fakeClock) {
    const due = t0 + i * periodMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -periodMs) late++;
  }
  if (stopping) break;
  // The stamp is taken as the frame is handed to the encoder.
  const ms = fakeClock ? Number(opt['start-ms']) + Math.round(i * periodMs) : Date.now();
  paintClock(frame, ms, i);
  const ok = ffmpeg.stdin.write(frame);
  written++;
  if (!ok) {
    // A frame is bigger than the pipe buffer, so most writes complete asynchronously; only a
    // drain slower than half a frame period means ffmpeg is not keeping up.
    const w0 = Date.now();
    await new Promise((resolve) => ffmpeg.stdin.once('drain', resolve));
    if (Date.now() - w0 > periodMs / 2) backpressured++;
  }
}
stop('done');
