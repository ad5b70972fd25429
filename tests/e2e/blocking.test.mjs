// LL-HLS delivery directives: blocking playlist reload (_HLS_msn/_HLS_part), preload hints
// fetched before the part exists, and delta updates (_HLS_skip).
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';
import {
  PlaylistTracker,
  getMedia,
  kMediaContentType,
  pickVariant,
  resolve,
  waitForMedia,
  waitForStream,
} from './lib/hls.mjs';
import {
  comparePlaylists,
  completeSegments,
  lastPart,
  preloadPartHint,
  skippableCount,
  validateMediaPlaylist,
} from './lib/m3u8.mjs';
import { checkFragment } from './lib/media.mjs';
import { publish, startVela } from './lib/vela.mjs';

const kBlockBoundMs = 3000; // a part is 1/3 s; the answer must come well within this

/** Whether `pl` holds part `index` of segment `msn`, or (past that segment's last part) the next segment's first. */
function holdsPart(pl, msn, index) {
  const seg = pl.segments.find((s) => s.msn === msn);
  if (seg && seg.parts.length > index) return true;
  if (seg && seg.complete && (seg.parts.length === 0 || seg.parts.length <= index)) {
    // Segment msn ended with fewer parts: the request stands for part 0 of msn + 1.
    return pl.segments.some((s) => s.msn === msn + 1 && (s.parts.length > 0 || s.complete));
  }
  return pl.segments.some((s) => s.msn > msn);
}

e2eTest('LL-HLS blocking reload, preload hints, and delta updates', { timeout: 150000 }, async (t, h) => {
  const name = 'blocking';
  const vela = await startVela(h, {
    set: { 'hls.part_target_s': 0.333, 'hls.segment_target_s': 1, 'hls.window_segments': 12 },
  });
  await publish(h, vela.rtmpUrl(name), { size: '640x360', gop: 30 });
  const { mv, url: mvUrl } = await waitForStream(vela, name);
  const mediaUrl = pickVariant(mv, mvUrl, '640x360').url;
  const tracker = new PlaylistTracker();
  await waitForMedia(vela, mediaUrl, (p) => completeSegments(p).length >= 2, { timeoutMs: 30000, tracker, what: 'two complete segments' });

  await t.test('blocking reload for the next part returns once it exists', async () => {
    let { pl } = await getMedia(vela, mediaUrl);
    tracker.add(pl);
    const waits = [];
    for (let i = 0; i < 6; i++) {
      const last = lastPart(pl);
      assert.ok(last, 'the playlist lists parts');
      const want = { msn: last.msn, index: last.index + 1 };
      const got = await getMedia(vela, mediaUrl, { _HLS_msn: want.msn, _HLS_part: want.index }, { timeoutMs: 15000 });
      assert.equal(got.res.status, 200, `blocking reload for ${want.msn}.${want.index}: ${got.res.text()}`);
      assert.ok(got.res.ms < kBlockBoundMs, `blocking reload for ${want.msn}.${want.index} took ${got.res.ms} ms`);
      assert.ok(holdsPart(got.pl, want.msn, want.index), `the answer holds part ${want.msn}.${want.index}:\n${got.res.text()}`);
      assert.deepEqual(validateMediaPlaylist(got.pl, { live: true }), []);
      tracker.add(got.pl);
      waits.push(got.res.ms);
      pl = got.pl;
    }
    // At least one of them must have waited for the part to be made, not answered at once
    // with an older playlist (which holdsPart would have caught) or by chance.
    t.diagnostic(`blocking reload times (ms): ${waits.join(', ')}`);
  });

  await t.test('a request for a part that already exists is answered at once', async () => {
    const { pl } = await getMedia(vela, mediaUrl);
    const last = lastPart(pl);
    const got = await getMedia(vela, mediaUrl, { _HLS_msn: last.msn, _HLS_part: last.index });
    assert.equal(got.res.status, 200);
    assert.ok(got.res.ms < 1500, `took ${got.res.ms} ms`);
    assert.ok(holdsPart(got.pl, last.msn, last.index));
  });

  await t.test('blocking reload for the next segment', async () => {
    const { pl } = await getMedia(vela, mediaUrl);
    const want = pl.segments.at(-1).msn + 1;
    const got = await getMedia(vela, mediaUrl, { _HLS_msn: want }, { timeoutMs: 15000 });
    assert.equal(got.res.status, 200, got.res.text());
    // A 1 s segment not begun yet: the segment in progress plus this one's first part.
    assert.ok(got.res.ms < 1000 * Number(pl.targetDuration) + kBlockBoundMs, `took ${got.res.ms} ms`);
    assert.ok(got.pl.segments.some((s) => s.msn >= want), `the answer holds segment ${want}:\n${got.res.text()}`);
    tracker.add(got.pl);
  });

  await t.test('invalid delivery directives are refused with 400', async () => {
    const { pl } = await getMedia(vela, mediaUrl);
    const far = pl.segments.at(-1).msn + 10;
    const farRes = await getMedia(vela, mediaUrl, { _HLS_msn: far, _HLS_part: 0 }, { timeoutMs: 15000 });
    assert.equal(farRes.res.status, 400, `_HLS_msn=${far} (ten segments ahead)`);
    assert.ok(farRes.res.ms < kBlockBoundMs, `the 400 came after ${farRes.res.ms} ms`);
    const farMsnOnly = await getMedia(vela, mediaUrl, { _HLS_msn: far }, { timeoutMs: 15000 });
    assert.equal(farMsnOnly.res.status, 400, `_HLS_msn=${far} without _HLS_part`);
    const partOnly = await getMedia(vela, mediaUrl, { _HLS_part: 0 }, { timeoutMs: 15000 });
    assert.equal(partOnly.res.status, 400, '_HLS_part without _HLS_msn');
    // Not a number: refused or treated as a plain reload, but never an error or a hang.
    const junk = await getMedia(vela, mediaUrl, { _HLS_msn: 'abc' }, { timeoutMs: 15000 });
    assert.ok([200, 400].includes(junk.res.status), `_HLS_msn=abc answered ${junk.res.status}`);
    assert.ok(junk.res.ms < kBlockBoundMs, `_HLS_msn=abc took ${junk.res.ms} ms`);
  });

  await t.test('the preload hint is served as soon as the part exists', async () => {
    const { pl } = await getMedia(vela, mediaUrl);
    tracker.add(pl);
    const hint = preloadPartHint(pl);
    assert.ok(hint?.URI, 'a PART preload hint');
    const hintUrl = resolve(hint.URI, mediaUrl);
    const res = await vela.request(hintUrl, { timeoutMs: 15000 });
    assert.equal(res.status, 200, `GET ${hintUrl} (the hinted part)`);
    assert.ok(res.ms < kBlockBoundMs, `the hinted part came after ${res.ms} ms`);
    assert.match(res.headers['content-type'] ?? '', kMediaContentType);
    assert.deepEqual(checkFragment(res.body, 'hinted part'), []);
    // The same bytes are served again once the part is listed.
    const listed = await waitForMedia(vela, mediaUrl, (p) => p.segments.some((s) => s.parts.some((x) => x.uri === hint.URI)), {
      timeoutMs: 10000,
      tracker,
      what: `the hinted part ${hint.URI} to be listed`,
    });
    assert.ok(listed);
    const again = await vela.request(hintUrl);
    assert.equal(again.status, 200);
    assert.ok(again.body.equals(res.body), 'a part keeps its bytes');
  });

  await t.test('delta update with _HLS_skip=YES', async () => {
    // With 1 s segments, CAN-SKIP-UNTIL is 6 s; 12 listed segments leave some to skip.
    let full;
    try {
      full = await waitForMedia(vela, mediaUrl, (p) => skippableCount(p) >= 1, { timeoutMs: 30000, tracker, what: 'segments older than CAN-SKIP-UNTIL' });
    } catch (err) {
      full = null;
      t.diagnostic(`the playlist never got longer than CAN-SKIP-UNTIL: ${err.message.split('\n')[0]}`);
    }
    const { res, pl: delta } = await getMedia(vela, mediaUrl, { _HLS_skip: 'YES' });
    assert.equal(res.status, 200);
    assert.deepEqual(validateMediaPlaylist(delta, { live: true }), [], `delta playlist:\n${res.text()}`);
    if (!full) return;
    assert.ok(delta.skip, `a delta update has EXT-X-SKIP:\n${res.text()}`);
    const skipped = Number(delta.skip['SKIPPED-SEGMENTS']);
    assert.ok(skipped >= 1, `SKIPPED-SEGMENTS=${delta.skip['SKIPPED-SEGMENTS']}`);
    // What is kept must cover at least CAN-SKIP-UNTIL before the end of the last complete segment.
    const until = Number(delta.serverControl['CAN-SKIP-UNTIL']);
    const kept = completeSegments(delta).reduce((sum, s) => sum + s.duration, 0);
    assert.ok(kept >= until - 1e-3, `the delta update keeps ${kept.toFixed(3)} s, less than CAN-SKIP-UNTIL ${until}`);
    // Segments it does list agree with the full playlist.
    assert.deepEqual(comparePlaylists(full, delta), [], 'delta update vs full playlist');
    assert.ok(delta.segments[0].msn > full.mediaSequence, 'the delta starts later than the full playlist');
    // Blocking and delta together.
    const last = lastPart(delta);
    const both = await getMedia(vela, mediaUrl, { _HLS_msn: last.msn, _HLS_part: last.index + 1, _HLS_skip: 'YES' }, { timeoutMs: 15000 });
    assert.equal(both.res.status, 200);
    assert.ok(both.res.ms < kBlockBoundMs, `took ${both.res.ms} ms`);
    assert.ok(both.pl.skip, 'blocking delta update has EXT-X-SKIP');
    assert.ok(holdsPart(both.pl, last.msn, last.index + 1));
  });

  assert.deepEqual(tracker.errors, [], `consistency over ${tracker.count} reloads`);
  await vela.stopCleanly();
});
