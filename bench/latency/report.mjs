#!/usr/bin/env node
// Prints a Markdown table from probe.mjs summaries: node report.mjs a.json b.json ...
import { readFileSync } from 'node:fs';

const rows = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const ms = (v) => (v === null || v === undefined ? '–' : String(Math.round(v)));
const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)} %`);

console.log('| system | frames measured | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | min (ms) | decode failures | gaps > 250 ms | dropped frames | hls.js estimate p50 (ms) | machine CPU busy | cores used: reader / server / sender |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const l = r.latencyMs;
  console.log(
    `| ${r.label} | ${r.samples} in ${r.measureS} s | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.min)} | ` +
      `${r.decodeFailures} (${pct(r.decodeFailureRate)}) | ${r.gapsOver250Ms} | ${r.droppedFrames}/${r.decodedFrames} | ` +
      `${ms(r.playerEstimateMs.p50)} | ${pct(r.machineCpuBusy)} | ${Object.values(r.processCores ?? {}).map((c) => c.toFixed(2)).join(' / ')} |`,
  );
}
