// Looking inside fetched media: ISO BMFF top-level boxes, ffprobe packet lists, and a full
// decode with ffmpeg.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FFMPEG, FFPROBE } from './vela.mjs';

/** Top-level ISO BMFF boxes of a buffer: [{ type, offset, size }]; `error` set if malformed. */
export function topLevelBoxes(buf) {
  const boxes = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 8 > buf.length) return Object.assign(boxes, { error: `truncated box header at ${offset}` });
    let size = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    if (size === 1) {
      if (offset + 16 > buf.length) return Object.assign(boxes, { error: `truncated largesize at ${offset}` });
      size = Number(buf.readBigUInt64BE(offset + 8));
    } else if (size === 0) {
      size = buf.length - offset;
    }
    if (size < 8 || offset + size > buf.length) {
      return Object.assign(boxes, { error: `box ${JSON.stringify(type)} at ${offset} has size ${size} beyond ${buf.length} bytes` });
    }
    boxes.push({ type, offset, size });
    offset += size;
  }
  return boxes;
}

/**
 * Problems with a CMAF media object (segment or part): must be whole boxes, with at least
 * one moof followed by an mdat, and nothing but fragment-level boxes.
 */
export function checkFragment(buf, label) {
  const boxes = topLevelBoxes(buf);
  const errors = [];
  if (boxes.error) errors.push(`${label}: ${boxes.error}`);
  const types = boxes.map((b) => b.type);
  const moof = types.indexOf('moof');
  if (moof < 0) errors.push(`${label}: no moof box (boxes: ${types.join(',')})`);
  else if (!types.slice(moof).includes('mdat')) errors.push(`${label}: no mdat after moof (boxes: ${types.join(',')})`);
  const allowed = new Set(['styp', 'sidx', 'prft', 'emsg', 'moof', 'mdat', 'free', 'skip']);
  for (const type of types) if (!allowed.has(type)) errors.push(`${label}: unexpected top-level box ${type}`);
  return errors;
}

/** Problems with an initialization segment: ftyp then moov, no media. */
export function checkInit(buf, label = 'init') {
  const boxes = topLevelBoxes(buf);
  const errors = [];
  if (boxes.error) errors.push(`${label}: ${boxes.error}`);
  const types = boxes.map((b) => b.type);
  if (types[0] !== 'ftyp') errors.push(`${label}: does not start with ftyp (boxes: ${types.join(',')})`);
  if (!types.includes('moov')) errors.push(`${label}: no moov`);
  if (types.includes('moof') || types.includes('mdat')) errors.push(`${label}: carries media (moof/mdat)`);
  return errors;
}

/** Runs a tool to completion: { code, signal, stdout, stderr }. Killed (by its PID) after timeoutMs. */
export function runTool(command, args, { timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * ffprobe of a file: { code, stderr, streams: [{ index, codec_name, codec_type, width,
 * height }], packets: [{ stream_index, type, pts, dts, duration, key }] } in file (decode)
 * order. stderr is what `-v error` printed: empty for a clean file.
 */
export async function probe(file) {
  const res = await runTool(FFPROBE, [
    '-v', 'error',
    '-show_entries', 'stream=index,codec_name,codec_type,width,height,sample_rate,channels:packet=stream_index,pts_time,dts_time,duration_time,flags',
    '-of', 'json',
    file,
  ]);
  let json = {};
  try {
    json = JSON.parse(res.stdout || '{}');
  } catch (e) {
    return { code: res.code, stderr: `${res.stderr}\nunparsable ffprobe JSON: ${e.message}`, streams: [], packets: [] };
  }
  const streams = json.streams ?? [];
  const typeOf = new Map(streams.map((s) => [s.index, s.codec_type]));
  const packets = (json.packets ?? []).map((p) => ({
    stream_index: p.stream_index,
    type: typeOf.get(p.stream_index),
    pts: Number(p.pts_time),
    dts: Number(p.dts_time),
    duration: Number(p.duration_time),
    key: typeof p.flags === 'string' && p.flags.includes('K'),
  }));
  return { code: res.code, stderr: res.stderr.trim(), streams, packets };
}

/** Decodes every stream of a file to nowhere: { code, stderr } (stderr empty when clean). */
export async function decode(file) {
  const res = await runTool(FFMPEG, ['-nostdin', '-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-']);
  return { code: res.code, stderr: res.stderr.trim() };
}

/** Writes the concatenation of buffers to dir/name and returns its path. */
export async function writeConcat(dir, name, buffers) {
  const file = path.join(dir, name);
  await fs.writeFile(file, Buffer.concat(buffers));
  return file;
}

/** Presentation span of one stream's packets: { start, end, count, keyFirst, reordered, ptsNeDts }. */
export function streamTiming(packets, type) {
  const list = packets.filter((p) => p.type === type && Number.isFinite(p.pts));
  if (!list.length) return { start: NaN, end: NaN, count: 0, keyFirst: false, reordered: 0, ptsNeDts: 0 };
  let start = Infinity;
  let end = -Infinity;
  let maxPts = -Infinity;
  let reordered = 0;
  let ptsNeDts = 0;
  for (const p of list) {
    start = Math.min(start, p.pts);
    end = Math.max(end, p.pts + (Number.isFinite(p.duration) ? p.duration : 0));
    if (p.pts < maxPts) reordered++;
    maxPts = Math.max(maxPts, p.pts);
    if (Number.isFinite(p.dts) && Math.abs(p.pts - p.dts) > 1e-6) ptsNeDts++;
  }
  return { start, end, count: list.length, keyFirst: list[0].key, reordered, ptsNeDts };
}
