#!/usr/bin/env node
// Prints Markdown tables from probe.mjs summaries: node report.mjs a.json b.json ...
// (latency for all; time to first frame and the WebRTC split for the runs that have them)
import { readFileSync } from 'node:fs';

const rows = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const ms = (v) => (v === null || v === undefined ? '–' : String(Math.round(v)));
const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)} %`);

console.log('| system | frames measured | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | min (ms) | decode failures | gaps > 250 ms | dropped frames | player estimate p50 (ms) | machine CPU busy | cores used: reader / server / sender |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const l = r.latencyMs;
  console.log(
    `| ${r.label} | ${r.samples} in ${r.measureS} s | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.min)} | ` +
      `${r.decodeFailures} (${pct(r.decodeFailureRate)}) | ${r.gapsOver250Ms} | ${r.droppedFrames}/${r.decodedFrames} | ` +
      `${ms(r.playerEstimateMs.p50)} | ${pct(r.machineCpuBusy)} | ${Object.values(r.processCores ?? {}).map((c) => c.toFixed(2)).join(' / ')} |`,
  );
}

// Time to first frame (fresh page loads after the measurement), where recorded.
const timed = rows.filter((r) => r.timeToFirstFrame);
if (timed.length) {
  console.log('');
  console.log('| system | loads | first frame from navigation p50 / max (ms) | from the WHEP POST p50 / max (ms) | failed loads |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of timed) {
    const t = r.timeToFirstFrame;
    const pair = (s) => (s ? `${ms(s.p50)} / ${ms(s.max)}` : '–');
    console.log(`| ${r.label} | ${t.runs.length} | ${pair(t.fromNavigationMs)} | ${pair(t.fromWhepPostMs)} | ${t.failed} |`);
  }
}

// WebRTC: the latency split where the frame's last packet arrived, and the receiver's own view.
const rtc = rows.filter((r) => r.webrtc);
if (rtc.length) {
  console.log('');
  console.log('| system | stamp → received p50 / p95 (ms) | received → shown p50 / p95 (ms) | video jitter buffer avg / target / minimum (ms) | audio jitter buffer avg / target (ms) | audio playout (ms) | video freezes | packets lost v / a |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rtc) {
    const w = r.webrtc;
    const pair = (s) => (s ? `${ms(s.p50)} / ${ms(s.p95)}` : '–');
    console.log(
      `| ${r.label} | ${pair(r.stampToReceiveMs)} | ${pair(r.receiveToDisplayMs)} | ` +
        `${ms(w.videoJitterBufferMs)} / ${ms(w.videoJitterBufferTargetMs)} / ${ms(w.videoJitterBufferMinimumMs)} | ` +
        `${ms(w.audioJitterBufferMs)} / ${ms(w.audioJitterBufferTargetMs)} | ${ms(w.audioPlayoutDelayMs)} | ${w.videoFreezes ?? '–'} | ` +
        `${w.videoPacketsLost ?? '–'} / ${w.audioPacketsLost ?? '–'} |`,
    );
  }
}
