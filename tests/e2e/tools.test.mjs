// Checks of the test tools themselves, needing no vela binary: the playlist parser and its
// rule checks (including that they catch broken playlists), the fMP4/ffprobe helpers on
// media made by ffmpeg, and the headless Chromium launch the player test relies on.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import { launchChromium } from './lib/browser.mjs';
import { e2eTest } from './lib/harness.mjs';
import {
  comparePlaylists,
  lastPart,
  parseMediaPlaylist,
  parseMultivariant,
  preloadPartHint,
  skippableCount,
  validateMediaPlaylist,
} from './lib/m3u8.mjs';
import { checkFragment, checkInit, decode, probe, runTool, streamTiming, writeConcat } from './lib/media.mjs';
import { FFMPEG, freeTcpPorts, velaBin } from './lib/vela.mjs';

function part(msn, i, d = 0.333, independent = false) {
  return `#EXT-X-PART:DURATION=${d},URI="v/part${msn}.${i}.m4s"${independent ? ',INDEPENDENT=YES' : ''}`;
}

function segment(msn, parts, pdt) {
  const lines = [`#EXT-X-PROGRAM-DATE-TIME:${new Date(Date.UTC(2025, 0, 1, 0, 0, 0) + pdt * 1000).toISOString()}`];
  if (parts) for (let i = 0; i < 6; i++) lines.push(part(msn, i, 0.333, i === 0));
  lines.push('#EXTINF:1.998,', `v/seg${msn}.m4s`);
  return lines;
}

/** A live LL-HLS playlist shaped like vela's: segments 10..14 complete, 15 in progress. */
function livePlaylist({ mediaSequence = 10, complete = 5, extra = [] } = {}) {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=12',
    '#EXT-X-PART-INF:PART-TARGET=0.334',
    `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
    '#EXT-X-MAP:URI="v/init0.mp4"',
  ];
  for (let k = 0; k < complete; k++) {
    const msn = mediaSequence + k;
    lines.push(...segment(msn, k >= complete - 2, msn * 1.998));
  }
  const open = mediaSequence + complete;
  lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Date.UTC(2025, 0, 1) + open * 1998).toISOString()}`);
  lines.push(part(open, 0, 0.333, true), part(open, 1));
  lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="v/part${open}.2.m4s"`);
  lines.push(...extra);
  return lines.join('\n') + '\n';
}

test('m3u8: parses a live LL-HLS media playlist', () => {
  const pl = parseMediaPlaylist(livePlaylist());
  assert.deepEqual(validateMediaPlaylist(pl, { live: true }), []);
  assert.equal(pl.segments.length, 6);
  assert.deepEqual(pl.segments.map((s) => s.msn), [10, 11, 12, 13, 14, 15]);
  assert.equal(pl.segments[5].complete, false);
  assert.equal(pl.segments[0].map, 'v/init0.mp4');
  assert.equal(pl.segments[4].map, 'v/init0.mp4');
  assert.deepEqual(lastPart(pl), { duration: 0.333, uri: 'v/part15.1.m4s', independent: false, gap: false, msn: 15, index: 1 });
  assert.equal(preloadPartHint(pl).URI, 'v/part15.2.m4s');
  assert.equal(pl.serverControl['CAN-SKIP-UNTIL'], '12');
  assert.equal(skippableCount(pl), 0);
});

test('m3u8: the rule checks catch broken playlists', () => {
  const cases = [
    [livePlaylist().replace('PART-TARGET=0.334', 'PART-TARGET=0.3'), /exceeds PART-TARGET/],
    [livePlaylist().replace('#EXT-X-PART:DURATION=0.333,URI="v/part13.0.m4s",INDEPENDENT=YES', '#EXT-X-PART:DURATION=0.333,URI="v/part13.0.m4s"'), /segment 13 does not start with an INDEPENDENT/],
    [livePlaylist().replace('#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:1'), /rounds above TARGETDURATION/],
    [livePlaylist().replaceAll('#EXTINF:1.998,', '#EXTINF:1.5,'), /differs from the sum of its parts/],
    [livePlaylist().replace(/#EXT-X-PRELOAD-HINT.*\n/, ''), /no EXT-X-PRELOAD-HINT/],
    [livePlaylist().replace('PART-HOLD-BACK=1.002', 'PART-HOLD-BACK=0.5'), /PART-HOLD-BACK/],
    [livePlaylist().replace('CAN-SKIP-UNTIL=12', 'CAN-SKIP-UNTIL=6'), /CAN-SKIP-UNTIL/],
    [livePlaylist().replace('#EXT-X-MAP:URI="v/init0.mp4"\n', ''), /no EXT-X-MAP/],
    [livePlaylist().replace('v/seg12.m4s', 'v/seg11.m4s'), /listed twice/],
  ];
  for (const [text, re] of cases) {
    const errors = validateMediaPlaylist(parseMediaPlaylist(text), { live: true });
    assert.ok(errors.some((e) => re.test(e)), `expected ${re} in ${JSON.stringify(errors)}`);
  }
  const ended = parseMediaPlaylist(livePlaylist({ extra: ['#EXT-X-ENDLIST'] }));
  const errors = validateMediaPlaylist(ended, { live: false });
  assert.ok(errors.some((e) => /PRELOAD-HINT remains/.test(e)), JSON.stringify(errors));
  assert.ok(errors.some((e) => /in progress remains/.test(e)), JSON.stringify(errors));
});

test('m3u8: reload consistency and delta updates', () => {
  const a = parseMediaPlaylist(livePlaylist({ mediaSequence: 10 }));
  const b = parseMediaPlaylist(livePlaylist({ mediaSequence: 11 }));
  assert.deepEqual(comparePlaylists(a, a), []);
  assert.deepEqual(comparePlaylists(a, b), [], 'the window slid by one segment');
  assert.ok(comparePlaylists(b, a).some((e) => /MEDIA-SEQUENCE went back/.test(e)));
  const changed = parseMediaPlaylist(livePlaylist({ mediaSequence: 11 }).replace('#EXTINF:1.998,\nv/seg12.m4s', '#EXTINF:1.9,\nv/seg12.m4s'));
  assert.ok(comparePlaylists(a, changed).some((e) => /segment 12 EXTINF changed/.test(e)));
  const renamed = parseMediaPlaylist(livePlaylist({ mediaSequence: 11 }).replace('v/part15.0.m4s', 'v/other.m4s'));
  assert.ok(comparePlaylists(a, renamed).some((e) => /part 15.0 changed/.test(e)));

  // 10 complete segments of 1.998 s and CAN-SKIP-UNTIL=12: only segments that end more
  // than 12 s before the end of the last one may be skipped, the oldest three (10..12).
  const long = parseMediaPlaylist(livePlaylist({ complete: 10 }));
  assert.equal(skippableCount(long), 3);
  const delta = parseMediaPlaylist(
    livePlaylist({ complete: 10 })
      .replace('#EXT-X-MEDIA-SEQUENCE:10\n', '#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n')
      .replace(/#EXT-X-MAP:URI="v\/init0.mp4"\n(#EXT-X-PROGRAM-DATE-TIME:.*\n#EXTINF:1.998,\nv\/seg1[0-2].m4s\n){3}/, '#EXT-X-MAP:URI="v/init0.mp4"\n'),
  );
  assert.deepEqual(validateMediaPlaylist(delta, { live: true }), []);
  assert.equal(delta.segments[0].msn, 13);
  assert.equal(delta.segments[0].uri, 'v/seg13.m4s');
  assert.deepEqual(comparePlaylists(long, delta), []);
});

test('m3u8: parses a multivariant playlist with quoted lists', () => {
  const mv = parseMultivariant(
    '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000\nvideo.m3u8\n',
  );
  assert.deepEqual(mv.errors, []);
  assert.equal(mv.variants.length, 1);
  assert.equal(mv.variants[0].attrs.CODECS, 'avc1.64001f,mp4a.40.2');
  assert.equal(mv.variants[0].attrs.RESOLUTION, '1280x720');
  assert.equal(mv.variants[0].uri, 'video.m3u8');
  assert.equal(new URL(mv.variants[0].uri, 'http://127.0.0.1:1/live/x/index.m3u8').href, 'http://127.0.0.1:1/live/x/video.m3u8');
});

test('velaBin: a clear error without VELA_BIN or with a bad path', () => {
  const saved = process.env.VELA_BIN;
  try {
    delete process.env.VELA_BIN;
    assert.throws(() => velaBin(), /VELA_BIN is not set/);
    process.env.VELA_BIN = '/nonexistent/vela';
    assert.throws(() => velaBin(), /not an executable file/);
  } finally {
    if (saved === undefined) delete process.env.VELA_BIN;
    else process.env.VELA_BIN = saved;
  }
});

test('freeTcpPorts gives distinct usable ports', async () => {
  const ports = await freeTcpPorts(3);
  assert.equal(new Set(ports).size, 3);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});

e2eTest('media helpers read ffmpeg-made CMAF with and without B-frames', { timeout: 60000 }, async (t, h) => {
  for (const bframes of [false, true]) {
    const dir = await h.dir(bframes ? 'b' : 'plain');
    const res = await runTool(FFMPEG, [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-map', '0:v', '-map', '1:a', '-t', '2',
      '-c:v', 'libx264', '-preset', 'veryfast', ...(bframes ? ['-bf', '2', '-x264-params', 'b-pyramid=0'] : ['-tune', 'zerolatency']),
      '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
      '-f', 'hls', '-hls_segment_type', 'fmp4', '-hls_time', '1', '-hls_playlist_type', 'vod',
      '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', path.join(dir, 'seg%d.m4s'), path.join(dir, 'out.m3u8'),
    ]);
    assert.equal(res.code, 0, res.stderr);
    const init = await fs.readFile(path.join(dir, 'init.mp4'));
    const seg = await fs.readFile(path.join(dir, 'seg1.m4s'));
    assert.deepEqual(checkInit(init), []);
    assert.deepEqual(checkFragment(seg, 'seg1'), []);
    assert.ok(checkFragment(init, 'init').length > 0, 'an init is not a fragment');
    assert.ok(checkFragment(seg.subarray(0, seg.length - 10), 'cut').some((e) => /beyond/.test(e)), 'a truncated fragment is caught');
    const file = await writeConcat(dir, 'joined.mp4', [init, seg]);
    const probed = await probe(file);
    assert.equal(probed.stderr, '');
    assert.ok(probed.streams.some((s) => s.codec_name === 'h264' && s.width === 320 && s.height === 180));
    assert.ok(probed.streams.some((s) => s.codec_name === 'aac'));
    const v = streamTiming(probed.packets, 'video');
    assert.ok(v.keyFirst);
    assert.ok(Math.abs(v.end - v.start - 1) < 0.05, `video span ${v.end - v.start}`);
    if (bframes) assert.ok(v.reordered > 0 && v.ptsNeDts > 0, JSON.stringify(v));
    else assert.equal(v.reordered, 0);
    assert.deepEqual(await decode(file), { code: 0, stderr: '' });
  }
});

e2eTest('headless Chromium launches with the player flags and has MSE with H.264/AAC', { timeout: 90000 }, async (t, h) => {
  const browser = await launchChromium(h);
  const page = await browser.newPage();
  await page.goto('data:text/html,<title>ok</title><video id=v muted></video>');
  const support = await page.evaluate(() => ({
    mse: typeof MediaSource === 'function',
    h264aac: MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"'),
    autoplay: document.getElementById('v').muted,
  }));
  assert.deepEqual(support, { mse: true, h264aac: true, autoplay: true });
  const shot = path.join(await h.dir('shots'), 'blank.png');
  await page.screenshot({ path: shot });
  assert.ok((await fs.stat(shot)).size > 0);
});
