// SRT playback: a caller with m=request on the SRT port pulls a live stream as MPEG-TS.
// ffmpeg/ffprobe are the viewers; the publisher is ffmpeg over RTMP or SRT. An unknown
// stream is refused in the handshake, and the viewer's connection closes when the stream
// ends.
import assert from 'node:assert/strict';
import path from 'node:path';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
import { waitForStream } from './lib/hls.mjs';
import { decode, probe, runTool } from './lib/media.mjs';
import { FFMPEG, FFPROBE, publish, startVela } from './lib/vela.mjs';

const kSize = '320x240';

// ffmpeg 5.1 passes query values through as written, so the stream id goes in raw.
function srtUrl(vela, streamId) {
  return `srt://${vela.settings['srt.listen']}?streamid=${streamId}`;
}

async function metricsText(vela) {
  return (await vela.request('/metrics')).text();
}

function metricValue(text, name, labels = '') {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** Pulls `seconds` of the stream over SRT into a .ts file (stream copy); returns its path. */
async function pull(h, vela, streamId, seconds, label) {
  const file = path.join(await h.dir('pulled'), `${label}.ts`);
  const viewer = await h.spawn(`ffmpeg-${label}`, FFMPEG, [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-i', srtUrl(vela, streamId), '-t', String(seconds), '-c', 'copy', '-f', 'mpegts', '-y', file,
  ]);
  const result = await viewer.waitExit(30000);
  assert.ok(result, `${label}: the viewer finished within 30 s\n${viewer.tail()}`);
  assert.equal(result.code, 0, `${label}: ffmpeg exit code\n${viewer.tail()}`);
  return file;
}

function checkStreams(streams, label) {
  const [width, height] = kSize.split('x').map(Number);
  assert.ok(streams.some((s) => s.codec_name === 'h264' && s.width === width && s.height === height),
    `${label}: h264 ${kSize} in ${JSON.stringify(streams)}`);
  assert.ok(streams.some((s) => s.codec_name === 'aac' && Number(s.sample_rate) === 48000 && s.channels === 2),
    `${label}: aac 48 kHz stereo in ${JSON.stringify(streams)}`);
}

e2eTest('SRT playback (m=request) of an RTMP stream: H.264 and AAC decode at the published size', { timeout: 120000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'srtplay';
  const pub = await publish(h, vela.rtmpUrl(name), { size: kSize, bframes: true, gop: 30 });
  await waitForStream(vela, name, { timeoutMs: 30000 });

  const file = await pull(h, vela, `#!::r=live/${name},m=request`, 4, 'access-control');
  const probed = await probe(file);
  assert.equal(probed.stderr, '', 'ffprobe of the pulled stream is clean');
  checkStreams(probed.streams, 'access-control form');
  const video = probed.packets.filter((p) => p.type === 'video');
  const audio = probed.packets.filter((p) => p.type === 'audio');
  assert.ok(video.length >= 60, `at least 2 s of video (${video.length} frames)`);
  assert.ok(audio.length >= 90, `at least 2 s of audio (${audio.length} frames)`);
  assert.ok(video[0].key, 'the first video frame is a keyframe');
  assert.ok(video.some((p) => p.pts !== p.dts), 'B-frames keep their presentation order');
  const decoded = await decode(file);
  assert.equal(decoded.stderr, '', 'the pulled stream decodes without errors');

  // The short forms play the same stream.
  for (const id of [`play:live/${name}`, `request:live/${name}`]) {
    const res = await runTool(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height,sample_rate,channels',
      '-of', 'json', srtUrl(vela, id)], { timeoutMs: 30000 });
    assert.equal(res.code, 0, `${id}: ffprobe exit code (${res.stderr})`);
    checkStreams(JSON.parse(res.stdout).streams, id);
  }

  const metrics = await metricsText(vela);
  assert.ok(metricValue(metrics, 'vela_srt_play_sessions_total') >= 3, 'viewer sessions counted');
  assert.ok(metricValue(metrics, 'vela_srt_sent_bytes_total', 'kind="play"') > 100000, 'bytes sent to viewers counted');
  assert.ok(pub.running, 'the publisher is undisturbed');
  await pub.stop();
  await vela.stopCleanly();
});

e2eTest('SRT playback: an unknown stream is refused; viewers are closed when the stream ends', { timeout: 120000 }, async (t, h) => {
  const vela = await startVela(h);
  const refused = await runTool(FFPROBE, ['-v', 'error', srtUrl(vela, '#!::r=live/nosuch,m=request')], { timeoutMs: 30000 });
  assert.notEqual(refused.code, 0, `ffprobe of an unknown stream fails (${refused.stderr.trim()})`);
  assert.ok(metricValue(await metricsText(vela), 'vela_srt_refused_total', 'reason="not_found"') >= 1, 'refusal counted as not_found');

  const name = 'srtend';
  const pub = await publish(h, srtUrl(vela, `publish:live/${name}`), { size: kSize, gop: 30, format: 'mpegts', name: 'ffmpeg-publish' });
  await waitForStream(vela, name, { timeoutMs: 30000 });
  const viewers = [];
  for (const label of ['viewer-1', 'viewer-2']) {
    viewers.push(await h.spawn(`ffmpeg-${label}`, FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'warning',
      '-i', srtUrl(vela, `play:live/${name}`), '-f', 'null', '-']));
  }
  await waitFor(async () => {
    const n = metricValue(await metricsText(vela), 'vela_srt_viewers');
    if (n !== 2) throw new Error(`vela_srt_viewers=${n}`);
    return true;
  }, { timeoutMs: 20000, what: 'two SRT viewers' });
  await sleep(2000);
  for (const v of viewers) assert.ok(v.running, `${v.name} is still playing`);

  // The publisher leaves: the stream ends and the server closes both viewers.
  await pub.stop();
  for (const v of viewers) {
    const result = await v.waitExit(20000);
    assert.ok(result, `${v.name} exits after the stream ends\n${v.tail()}`);
  }
  await waitFor(async () => {
    const text = await metricsText(vela);
    const n = metricValue(text, 'vela_srt_viewers');
    if (n !== 0) throw new Error(`vela_srt_viewers=${n}`);
    if (metricValue(text, 'vela_srt_connections') !== 0) throw new Error('SRT connections still open');
    return true;
  }, { timeoutMs: 10000, what: 'no SRT viewers or connections left' });
  await vela.stopCleanly();
});
