#!/usr/bin/env node
// Self-test of the time code: encode known stamps through the same sender/x264 path (also at a
// deliberately poor quality), decode the file back with ffmpeg and check that every frame reads
// back exactly. Exits non-zero on any mismatch.
//
//   node selftest.mjs [--size 640x360] [--dir /tmp/x]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeCode, layoutFor } from './code.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: { size: { type: 'string', default: '640x360' }, dir: { type: 'string' } },
});
const ffmpegBin = process.env.FFMPEG || '/usr/bin/ffmpeg';
const [width, height] = opt.size.split('x').map(Number);
const layout = layoutFor(width, height);
const dir = opt.dir ?? mkdtempSync(path.join(tmpdir(), 'vela-g2g-selftest-'));
const frames = 60;
const startMs = 1763950000123;

let failures = 0;
for (const crf of ['23', '45']) {
  const file = path.join(dir, `selftest-crf${crf}.mkv`);
  const send = spawnSync(process.execPath, [
    path.join(here, 'sender.mjs'), '--out', file, '--size', opt.size, '--frames', String(frames),
    '--start-ms', String(startMs), '--crf', crf,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (send.status !== 0) throw new Error(`sender failed: ${send.stderr}`);
  const dec = spawnSync(ffmpegBin, ['-v', 'error', '-i', file, '-map', '0:v', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], {
    maxBuffer: 1 << 30,
  });
  if (dec.status !== 0) throw new Error(`ffmpeg decode failed: ${dec.stderr}`);
  const frameBytes = width * height * 1.5;
  const count = dec.stdout.length / frameBytes;
  let good = 0;
  let minMargin = Infinity;
  for (let i = 0; i < count; i++) {
    const y = dec.stdout.subarray(i * frameBytes, i * frameBytes + width * height);
    const getLuma = (x0, y0, w, h) => {
      let sum = 0;
      for (let yy = y0; yy < y0 + h; yy++) for (let xx = x0; xx < x0 + w; xx++) sum += y[yy * width + xx];
      return sum / (w * h);
    };
    const r = decodeCode(getLuma, layout);
    const expected = startMs + Math.round((i * 1000) / 30);
    if (r.ok && r.ms === expected && r.counter === i % 8) {
      good++;
      minMargin = Math.min(minMargin, r.margin);
    } else {
      console.error(`crf ${crf} frame ${i}: expected ${expected}, got ${JSON.stringify(r)}`);
    }
  }
  const pass = count === frames && good === frames;
  if (!pass) failures++;
  console.log(
    `selftest crf=${crf}: ${good}/${count} frames decoded exactly (expected ${frames}), ` +
      `smallest cell margin ${minMargin.toFixed(1)} luma levels: ${pass ? 'ok' : 'FAIL'}`,
  );
}
if (!opt.dir) rmSync(dir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
