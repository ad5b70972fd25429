// RTMP in, LL-HLS out: the playlists keep the LL-HLS rules, every listed object is fetchable
// and cacheable, and the media decodes with ffmpeg with the timing the playlist claims.
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';
import {
  PlaylistTracker,
  audioRenditionUrls,
  checkPlaylistCaching,
  fetchAndProbeRendition,
  getMultivariant,
  getMedia,
  kPlaylistContentType,
  pickVariant,
  waitForMedia,
  waitForStream,
} from './lib/hls.mjs';
import { completeSegments, validateMediaPlaylist } from './lib/m3u8.mjs';
import { streamTiming } from './lib/media.mjs';
import { publish, startVela } from './lib/vela.mjs';

const kFrameRate = 30;

async function scenario(t, h, { name, size, bframes }) {
  const [width, height] = size.split('x').map(Number);
  const vela = await startVela(h);
  const pub = await publish(h, vela.rtmpUrl(name), { size, rate: kFrameRate, gop: 2 * kFrameRate, bframes });

  // Multivariant playlist.
  const { url: mvUrl, res: mvRes, mv } = await waitForStream(vela, name);
  assert.deepEqual(mv.errors, [], 'multivariant playlist problems');
  assert.match(mvRes.headers['content-type'] ?? '', kPlaylistContentType);
  assert.deepEqual(checkPlaylistCaching(mvRes, 'multivariant playlist'), []);
  for (const v of mv.variants) {
    assert.ok(Number(v.attrs.BANDWIDTH) > 0, `BANDWIDTH of ${v.uri}: ${v.attrs.BANDWIDTH}`);
    assert.match(v.attrs.CODECS ?? '', /\bavc1\.[0-9a-fA-F]{6}\b/, `CODECS of ${v.uri} name H.264`);
    assert.match(v.attrs.CODECS ?? '', /\bmp4a\.40\.\d+\b/, `CODECS of ${v.uri} name AAC`);
  }
  const { variant, url: mediaUrl } = pickVariant(mv, mvUrl, size);
  assert.equal(variant.attrs.RESOLUTION, size, 'a variant has the published resolution');
  assert.ok(Math.abs(Number(variant.attrs['FRAME-RATE']) - kFrameRate) < 0.5, `FRAME-RATE ${variant.attrs['FRAME-RATE']}`);
  const audioUrls = audioRenditionUrls(mv, mvUrl, variant);

  // Media playlist while live.
  const tracker = new PlaylistTracker();
  await waitForMedia(vela, mediaUrl, (p) => completeSegments(p).length >= 3, {
    timeoutMs: 45000,
    tracker,
    what: 'three complete segments',
  });
  const { res: mediaRes, pl } = await getMedia(vela, mediaUrl);
  assert.equal(mediaRes.status, 200);
  tracker.add(pl);
  assert.match(mediaRes.headers['content-type'] ?? '', kPlaylistContentType);
  assert.deepEqual(checkPlaylistCaching(mediaRes, 'media playlist'), []);
  assert.deepEqual(validateMediaPlaylist(pl, { live: true }), [], `media playlist:\n${mediaRes.text()}`);

  const api = JSON.parse((await vela.request('/api/v1/streams')).text());
  assert.ok(api.streams.some((s) => s.name === name), `/api/v1/streams lists ${name}: ${JSON.stringify(api)}`);
  const one = await vela.request(`/api/v1/streams/${name}`);
  assert.equal(one.status, 200, one.text());
  assert.deepEqual(JSON.parse(one.text()).tracks, api.streams.find((s) => s.name === name).tracks, 'the stream alone is as listed');
  assert.doesNotMatch(one.text(), /\dE\d/, `plain numbers: ${one.text()}`);
  const sub = await vela.request(`/api/v1/streams/${name}/nosuch`);
  assert.equal(sub.status, 404);
  assert.match(JSON.parse(sub.text()).error, /not found: \/api\/v1\/streams\/.*\/nosuch/);

  // Every object the playlist names, and what ffmpeg makes of it.
  const dir = await h.dir('media');
  const video = await fetchAndProbeRendition(vela, mediaUrl, pl, dir, 'main');
  assert.deepEqual(video.errors, [], 'objects of the media playlist');
  assert.ok(video.segments.length >= 3, 'probed at least three segments');
  const renditions = [video];
  for (const [i, url] of audioUrls.entries()) {
    const audioPl = await waitForMedia(vela, url, (p) => completeSegments(p).length >= 1, { what: `audio rendition ${url}` });
    assert.deepEqual(validateMediaPlaylist(audioPl, { live: true }), [], `audio playlist ${url}`);
    const audio = await fetchAndProbeRendition(vela, url, audioPl, dir, `audio${i}`);
    assert.deepEqual(audio.errors, [], `objects of audio playlist ${url}`);
    renditions.push(audio);
  }
  const streams = renditions.flatMap((r) => r.segments.flatMap((s) => s.probe.streams));
  assert.ok(
    streams.some((s) => s.codec_name === 'h264' && s.width === width && s.height === height),
    `an h264 ${size} stream: ${JSON.stringify(streams)}`,
  );
  assert.ok(streams.some((s) => s.codec_name === 'aac'), `an aac stream: ${JSON.stringify(streams)}`);
  const audioPackets = renditions.flatMap((r) => r.segments).reduce((n, s) => n + streamTiming(s.probe.packets, 'audio').count, 0);
  assert.ok(audioPackets > 0, 'audio packets in the segments');

  // Timing: each segment starts on a keyframe, lasts what EXTINF says, and the next one
  // starts where it ends; PROGRAM-DATE-TIME advances with the media.
  let reordered = 0;
  let ptsNeDts = 0;
  const timings = video.segments.map(({ seg, probe }) => ({ seg, v: streamTiming(probe.packets, 'video') }));
  for (const { seg, v } of timings) {
    assert.ok(v.count > 0, `segment ${seg.msn} has video packets`);
    assert.ok(v.keyFirst, `segment ${seg.msn} starts with a keyframe`);
    assert.ok(Math.abs(v.end - v.start - seg.duration) <= 0.1, `segment ${seg.msn}: EXTINF ${seg.duration} vs video ${(v.end - v.start).toFixed(3)} s`);
    reordered += v.reordered;
    ptsNeDts += v.ptsNeDts;
  }
  for (let i = 0; i + 1 < timings.length; i++) {
    const a = timings[i];
    const b = timings[i + 1];
    if (b.seg.msn !== a.seg.msn + 1) continue;
    const gap = b.v.start - a.v.start;
    assert.ok(Math.abs(gap - a.seg.duration) <= 0.05, `segment ${b.seg.msn} starts ${gap.toFixed(3)} s after ${a.seg.msn}, whose EXTINF is ${a.seg.duration}`);
    if (a.seg.programDateTime !== null && b.seg.programDateTime !== null) {
      const pdtGap = (b.seg.programDateTime - a.seg.programDateTime) / 1000;
      assert.ok(Math.abs(pdtGap - a.seg.duration) <= 0.5, `PROGRAM-DATE-TIME of ${b.seg.msn} is ${pdtGap.toFixed(3)} s after ${a.seg.msn}, EXTINF ${a.seg.duration}`);
    }
  }
  if (bframes) {
    assert.ok(reordered > 0, 'B-frames: some video packets come before one with a later pts (reordering kept)');
    assert.ok(ptsNeDts > 0, 'B-frames: some video packets have pts != dts');
  } else {
    assert.equal(reordered, 0, 'no B-frames: video packets are in presentation order');
  }
  t.diagnostic(`probed ${video.segments.length} segments and ${video.parts.size} parts; ${reordered} reordered video packets`);

  // The publisher leaves: the playlist ends, with nothing left hinted or in progress.
  const stopped = await pub.stop();
  assert.equal(stopped.timedOut, false, 'ffmpeg stopped');
  const endWait = Date.now();
  const ended = await waitForMedia(vela, mediaUrl, (p) => p.endList, { timeoutMs: 10000, tracker, what: 'EXT-X-ENDLIST' });
  t.diagnostic(`EXT-X-ENDLIST ${Date.now() - endWait} ms after the publisher stopped; ${completeSegments(ended).length} segments listed`);
  assert.deepEqual(validateMediaPlaylist(ended, { live: false }), [], 'ended playlist');
  assert.deepEqual(tracker.errors, [], `consistency over ${tracker.count} reloads`);
  // The last segments, including the one the end closed early, are whole and decode.
  const tail = { ...ended, segments: ended.segments.slice(-2) };
  const final = await fetchAndProbeRendition(vela, mediaUrl, tail, dir, 'ended');
  assert.deepEqual(final.errors, [], 'objects at the end of the ended playlist');
  assert.equal(final.segments.at(-1)?.seg.uri, completeSegments(ended).at(-1).uri, 'the final segment was probed');
  // Every playlist of the ended stream answers alike: the multivariant still leads to it.
  const endedMv = await getMultivariant(vela, name);
  assert.equal(endedMv.res.status, 200, `multivariant of the ended stream: ${endedMv.res.text()}`);
  assert.ok(endedMv.mv.variants.some((v) => new URL(v.uri, endedMv.url).href === mediaUrl), endedMv.res.text());
  assert.equal((await vela.request(`/api/v1/streams/${name}`)).status, 404, 'an ended stream is not live');

  await vela.stopCleanly();
}

e2eTest('LL-HLS from RTMP: H.264 720p + AAC, no B-frames', { timeout: 120000 }, async (t, h) => {
  await scenario(t, h, { name: 'plain', size: '1280x720', bframes: false });
});

e2eTest('LL-HLS from RTMP: H.264 with B-frames + AAC', { timeout: 120000 }, async (t, h) => {
  await scenario(t, h, { name: 'bframes', size: '640x360', bframes: true });
});
