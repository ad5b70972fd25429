// SRT in, LL-HLS out: ffmpeg (and srt-live-transmit) publish MPEG-TS over SRT with the
// stream ids of the conventions; the stream's playlist appears and its segments decode.
// With srt.passphrase set, the right passphrase publishes and a wrong one is refused.
import assert from 'node:assert/strict';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
import { fetchAndProbeRendition, getMultivariant, pickVariant, waitForMedia, waitForStream } from './lib/hls.mjs';
import { completeSegments, validateMediaPlaylist } from './lib/m3u8.mjs';
import { streamTiming } from './lib/media.mjs';
import { FFMPEG, Publisher, freeUdpPort, startVela } from './lib/vela.mjs';

const SRT_LIVE_TRANSMIT = process.env.SRT_LIVE_TRANSMIT || '/usr/bin/srt-live-transmit';
const kSize = '320x240';
const kRate = 30;

// ffmpeg 5.1 passes the query values through as written (no percent-decoding), so the
// stream id goes in raw, '#!::' and all.
function srtUrl(vela, streamId, { passphrase } = {}) {
  const secret = passphrase === undefined ? '' : `&passphrase=${passphrase}`;
  return `srt://${vela.settings['srt.listen']}?streamid=${streamId}${secret}`;
}

function encodeArgs({ bframes, maxSeconds }) {
  const videoOptions = bframes ? ['-bf', '2', '-x264-params', 'b-pyramid=0'] : ['-tune', 'zerolatency'];
  return [
    '-re', '-f', 'lavfi', '-i', `testsrc2=size=${kSize}:rate=${kRate}`,
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a', '-t', String(maxSeconds),
    '-c:v', 'libx264', '-preset', 'veryfast', ...videoOptions, '-g', String(2 * kRate), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-ac', '2',
  ];
}

/** ffmpeg publishing H.264 + AAC in MPEG-TS over SRT. */
async function publishSrt(h, url, { bframes = false, maxSeconds = 120, name = 'ffmpeg' } = {}) {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...encodeArgs({ bframes, maxSeconds }), '-f', 'mpegts', url];
  return new Publisher(await h.spawn(name, FFMPEG, args));
}

/** Waits for three complete segments of `name`, then fetches and probes every object listed. */
async function checkPlayable(t, h, vela, name, { bframes }) {
  const { url: mvUrl, mv } = await waitForStream(vela, name, { timeoutMs: 30000 });
  assert.deepEqual(mv.errors, [], 'multivariant playlist problems');
  const { variant, url: mediaUrl } = pickVariant(mv, mvUrl, kSize);
  assert.equal(variant.attrs.RESOLUTION, kSize, 'a variant has the published resolution');
  assert.match(variant.attrs.CODECS ?? '', /\bavc1\.[0-9a-fA-F]{6}\b.*\bmp4a\.40\.\d+\b|\bmp4a\.40\.\d+\b.*\bavc1\./, `CODECS ${variant.attrs.CODECS}`);
  const pl = await waitForMedia(vela, mediaUrl, (p) => completeSegments(p).length >= 3, {
    timeoutMs: 45000,
    what: 'three complete segments',
  });
  assert.deepEqual(validateMediaPlaylist(pl, { live: true }), [], 'media playlist');
  const dir = await h.dir(`media-${name}`);
  const video = await fetchAndProbeRendition(vela, mediaUrl, pl, dir, name);
  assert.deepEqual(video.errors, [], 'objects of the media playlist');
  assert.ok(video.segments.length >= 3, 'probed at least three segments');
  const [width, height] = kSize.split('x').map(Number);
  const streams = video.segments.flatMap((s) => s.probe.streams);
  assert.ok(streams.some((s) => s.codec_name === 'h264' && s.width === width && s.height === height), `h264 ${kSize}: ${JSON.stringify(streams)}`);
  assert.ok(streams.some((s) => s.codec_name === 'aac'), `an aac stream: ${JSON.stringify(streams)}`);
  let reordered = 0;
  for (const { seg, probe } of video.segments) {
    const v = streamTiming(probe.packets, 'video');
    assert.ok(v.count > 0, `segment ${seg.msn} has video`);
    assert.ok(v.keyFirst, `segment ${seg.msn} starts with a keyframe`);
    assert.ok(Math.abs(v.end - v.start - seg.duration) <= 0.1, `segment ${seg.msn}: EXTINF ${seg.duration} vs video ${(v.end - v.start).toFixed(3)} s`);
    assert.ok(streamTiming(probe.packets, 'audio').count > 0, `segment ${seg.msn} has audio`);
    reordered += v.reordered;
  }
  if (bframes) assert.ok(reordered > 0, 'B-frames: reordering kept');
  else assert.equal(reordered, 0, 'no B-frames: presentation order');
  t.diagnostic(`${name}: probed ${video.segments.length} segments; ${reordered} reordered video packets`);
  return { mediaUrl };
}

async function metricsText(vela) {
  return (await vela.request('/metrics')).text();
}

function metricValue(text, name, labels) {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

for (const bframes of [false, true]) {
  e2eTest(`SRT publish (MPEG-TS H.264${bframes ? ' with B-frames' : ''} + AAC) plays as LL-HLS`, { timeout: 120000 }, async (t, h) => {
    const vela = await startVela(h);
    const name = bframes ? 'srtbframes' : 'srtdemo';
    const pub = await publishSrt(h, srtUrl(vela, `publish:live/${name}`), { bframes });
    const { mediaUrl } = await checkPlayable(t, h, vela, name, { bframes });

    // Transport statistics per stream, refreshed every ~2 s while the session lives.
    const live = await metricsText(vela);
    assert.ok(/^vela_srt_connections 1$/m.test(live), 'one SRT connection open');
    assert.ok(metricValue(live, 'vela_srt_session_received_bytes', `stream="${name}"`) > 0, 'per-stream received bytes');
    assert.ok(metricValue(live, 'vela_srt_receive_rate_kbps', `stream="${name}"`) >= 0, 'per-stream receive rate');
    assert.notEqual(metricValue(live, 'vela_srt_rtt_microseconds', `stream="${name}"`), undefined, 'per-stream RTT');
    // ... and in the stream API, with the publisher's address.
    const listed = JSON.parse((await vela.request('/api/v1/streams')).text()).streams.find((s) => s.name === name);
    assert.equal(listed?.ingest?.protocol, 'srt', JSON.stringify(listed?.ingest));
    assert.match(listed.ingest.remote, /^127\.0\.0\.1:\d+$/);
    assert.ok(listed.ingest.transport?.received_bytes > 0, `transport stats: ${JSON.stringify(listed.ingest.transport)}`);
    assert.equal(typeof listed.ingest.transport.rtt_us, 'number');
    assert.deepEqual(listed.cues, [], 'no SCTE-35 cues in this feed');

    // The publisher leaves: the stream ends and its per-stream series leave /metrics.
    const stopped = await pub.stop();
    assert.equal(stopped.timedOut, false, 'ffmpeg stopped');
    await waitForMedia(vela, mediaUrl, (p) => p.endList, { timeoutMs: 15000, what: 'EXT-X-ENDLIST' });
    const after = await waitFor(async () => {
      const text = await metricsText(vela);
      return !text.includes(`stream="${name}"`) && text;
    }, { timeoutMs: 10000, what: `no series labelled stream="${name}" once it ended` });
    assert.ok(/^vela_srt_connections 0$/m.test(after), 'no SRT connection open');
    await vela.stopCleanly();
  });
}

e2eTest('SRT access-control stream id, refusals, and a second publisher of a live name', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const pub = await publishSrt(h, srtUrl(vela, '#!::r=live/acdemo,m=publish'));
  await waitForStream(vela, 'acdemo', { timeoutMs: 30000 });

  // Refused in the handshake: ffmpeg fails to connect and exits non-zero.
  for (const [label, id] of [
    ['same name again', 'publish:live/acdemo'],
    ['playback of a stream that is not live', '#!::r=live/nosuch,m=request'],
    ['malformed id', '#!::m=publish'],
  ]) {
    const refused = await publishSrt(h, srtUrl(vela, id), { maxSeconds: 5, name: `ffmpeg-${label.replaceAll(' ', '-')}` });
    const result = await refused.proc.waitExit(20000);
    assert.ok(result && result.code !== 0, `${label}: ffmpeg exits non-zero (${JSON.stringify(result)})`);
  }
  const metrics = await metricsText(vela);
  for (const reason of ['conflict', 'not_found', 'bad_stream_id']) {
    assert.ok(metricValue(metrics, 'vela_srt_refused_total', `reason="${reason}"`) >= 1, `refusal counted: ${reason}`);
  }
  assert.ok(pub.running, 'the live publisher is undisturbed');
  await waitForStream(vela, 'acdemo', { timeoutMs: 5000 });
  await pub.stop();
  await vela.stopCleanly();
});

e2eTest('SRT with srt.passphrase: the right passphrase publishes, a wrong or missing one is refused', { timeout: 120000 }, async (t, h) => {
  const passphrase = 'vela-e2e-passphrase';
  const ownPassphrase = 'only-for-the-vip-stream';
  const vela = await startVela(h, {
    set: { 'srt.passphrase': passphrase, 'srt.pbkeylen': 32, 'srt.passphrases.vip': ownPassphrase },
  });

  // A stream with a passphrase of its own (keys mode hands these out per stream): the
  // server-wide passphrase does not open it, its own does.
  const shared = await publishSrt(h, srtUrl(vela, 'publish:live/vip', { passphrase }), { maxSeconds: 5, name: 'ffmpeg-vip-shared' });
  const sharedResult = await shared.proc.waitExit(20000);
  assert.ok(sharedResult && sharedResult.code !== 0, `server-wide passphrase on a stream with its own: refused (${JSON.stringify(sharedResult)})`);
  const vip = await publishSrt(h, srtUrl(vela, 'publish:live/vip', { passphrase: ownPassphrase }), { name: 'ffmpeg-vip' });
  await waitForStream(vela, 'vip', { timeoutMs: 30000 });
  await vip.stop();

  for (const [label, given] of [['wrong passphrase', 'not-the-passphrase'], ['no passphrase', undefined]]) {
    const refused = await publishSrt(h, srtUrl(vela, `publish:live/locked`, { passphrase: given }), { maxSeconds: 5, name: `ffmpeg-${label.replaceAll(' ', '-')}` });
    const result = await refused.proc.waitExit(20000);
    assert.ok(result && result.code !== 0, `${label}: ffmpeg exits non-zero (${JSON.stringify(result)})`);
    const mv = await getMultivariant(vela, 'locked');
    assert.equal(mv.res.status, 404, `${label}: no stream appears`);
  }
  // libsrt checks the passphrase inside its handshake; Vela still logs each refusal with the
  // caller's address and counts it.
  await vela.proc.waitForLine(/srt caller 127\.0\.0\.1:\d+ stream=locked refused: wrong passphrase/, 10000);
  await vela.proc.waitForLine(/srt caller 127\.0\.0\.1:\d+ stream=locked refused: no passphrase/, 10000);
  const metrics = (await vela.request('/metrics')).text();
  // Three: the server-wide passphrase on vip, a wrong one and none on locked.
  assert.match(metrics, /^vela_srt_refused_total\{reason="passphrase"\} 3$/m, metrics);
  assert.ok(!vela.proc.lines.some((line) => line.includes('not-the-passphrase') && !line.includes(' --- ')), 'a passphrase in the log');

  const pub = await publishSrt(h, srtUrl(vela, 'publish:live/locked', { passphrase }));
  await checkPlayable(t, h, vela, 'locked', { bframes: false });
  await pub.stop();
  await vela.stopCleanly();
});

e2eTest('srt-live-transmit relays an MPEG-TS feed into vela', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  // ffmpeg paces the TS in real time to a local UDP port; srt-live-transmit is the SRT caller.
  const udpPort = await freeUdpPort();
  const relayUrl = srtUrl(vela, 'publish:live/relayed');
  const relay = await h.spawn('srt-live-transmit', SRT_LIVE_TRANSMIT, ['-q', `udp://127.0.0.1:${udpPort}`, relayUrl]);
  await sleep(500);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...encodeArgs({ bframes: false, maxSeconds: 120 }),
    '-f', 'mpegts', `udp://127.0.0.1:${udpPort}?pkt_size=1316`];
  const source = new Publisher(await h.spawn('ffmpeg', FFMPEG, args));
  await checkPlayable(t, h, vela, 'relayed', { bframes: false });
  assert.ok(relay.running, 'srt-live-transmit still running');
  await source.stop();
  await vela.stopCleanly();
});
