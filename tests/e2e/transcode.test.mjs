// The transcoder's control surface end to end: the ladder API (GET, PUT with validation,
// applied from the next publish), per-stream ladders from the config, passthrough-only
// streams that decode nothing, the transcode metrics, and the planned renditions reaching
// the multivariant playlist at their sizes. A small source and ladder keep the CPU low; the
// 1080p default ladder is renditions.test.mjs.
import assert from 'node:assert/strict';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
import { waitForStream } from './lib/hls.mjs';
import { publish, startVela } from './lib/vela.mjs';

const ladderPath = (name) => `/api/v1/streams/${encodeURIComponent(name)}/ladder`;

async function getJson(vela, path) {
  const res = await vela.request(path);
  assert.equal(res.status, 200, `GET ${path}: ${res.text()}`);
  return JSON.parse(res.text());
}

async function putJson(vela, path, body) {
  const res = await vela.request(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: JSON.parse(res.text()) };
}

function metric(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

e2eTest('transcode: ladder API, per-stream ladders from the next publish, passthrough-only decodes nothing', { timeout: 240000 }, async (t, h) => {
  const vela = await startVela(h, {
    set: {
      'transcode.enabled': 'true',
      'transcode.ladder': '[{name="240p", height=240, video_kbps=300}, {name="160p", height=160, video_kbps=150, max_fps=15}]',
      'transcode.streams.plain': '{enabled=false}',
    },
  });

  // 1. The effective ladder, before anything is live.
  const before = await getJson(vela, ladderPath('cam'));
  assert.equal(before.enabled, true);
  assert.equal(before.passthrough, true);
  assert.deepEqual(before.rungs.map((r) => [r.name, r.height, r.video_kbps, r.max_fps]), [['240p', 240, 300, 30], ['160p', 160, 150, 15]]);
  assert.equal(before.renditions, null, 'not live: no plan');
  assert.equal((await getJson(vela, ladderPath('plain'))).enabled, false, 'transcode.streams.plain');

  // 2. Bad PUTs say why and change nothing.
  for (const [body, reason] of [
    ['{', 'expected a JSON object'],
    [{ rungs: [{ name: 'UPPER', height: 240, video_kbps: 300 }] }, '[a-z0-9_-]'],
    [{ rungs: [{ name: 'a', height: 240, video_kbps: 300 }, { name: 'a', height: 160, video_kbps: 200 }] }, 'used twice'],
    [{ passthrough: false, rungs: [] }, 'at least one rung'],
    [{ rungs: [{ name: 'odd', height: 241, video_kbps: 300 }] }, 'height must be even'],
    [{ rungs: [{ name: 'a', height: 240, video_kbps: 300, speed: 2 }] }, "unknown rung field 'speed'"],
  ]) {
    const { status, json } = await putJson(vela, ladderPath('cam'), body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.ok(json.error.includes(reason), `${json.error} (wanted "${reason}")`);
  }
  assert.equal((await getJson(vela, ladderPath('cam'))).overridden, false);

  // 3. A live stream: planned renditions (the source, 240p at 30 fps, 160p at 15 fps), running.
  const cam = await publish(h, vela.rtmpUrl('cam'), { size: '640x360', rate: 30, gop: 30 });
  const live = await waitFor(
    async () => {
      const got = await getJson(vela, ladderPath('cam'));
      if (!got.renditions) throw new Error('no plan yet');
      return got;
    },
    { timeoutMs: 30000, intervalMs: 500, what: 'the planned renditions' },
  );
  assert.deepEqual(
    live.renditions.map((r) => [r.name, r.passthrough, r.width, r.height, r.frame_step, r.state]),
    [['source', true, 640, 360, 1, 'running'], ['240p', false, 426, 240, 1, 'running'], ['160p', false, 284, 160, 2, 'running']],
  );
  await waitFor(
    async () => {
      const text = (await vela.request('/metrics')).text();
      const encoded = metric(text, 'vela_transcode_frames_encoded_total', '{rendition="160p"}');
      if (!(encoded >= 30)) throw new Error(`160p frames encoded: ${encoded}`);
      assert.equal(metric(text, 'vela_transcode_failures_total'), 0);
      assert.ok(metric(text, 'vela_transcode_lag_milliseconds', '{stream="cam"}') >= 0);
      assert.equal(metric(text, 'vela_transcode_shed_renditions', '{stream="cam"}'), 0);
      return true;
    },
    { timeoutMs: 30000, intervalMs: 500, what: 'frames encoded for 160p' },
  );
  // The packager lists the renditions it has media for, at the planned sizes.
  const { mv } = await waitFor(
    async () => {
      const got = await waitForStream(vela, 'cam', { timeoutMs: 20000 });
      if (got.mv.variants.length < 3) throw new Error(`${got.mv.variants.length} variants:\n${got.res.text()}`);
      return got;
    },
    { timeoutMs: 60000, intervalMs: 1000, what: 'three renditions in the multivariant playlist' },
  );
  assert.deepEqual(mv.variants.map((v) => v.attrs.RESOLUTION), ['640x360', '426x240', '284x160']);

  // 4. A PUT applies from the next publish: the live plan stays as it is.
  const put = await putJson(vela, ladderPath('cam'), { rungs: [{ name: 'tiny', height: 120, video_kbps: 100 }] });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.equal(put.json.applies, 'next_publish');
  assert.equal(put.json.overridden, true);
  assert.deepEqual(put.json.renditions.map((r) => r.name), ['source', '240p', '160p']);
  await cam.stop();
  await waitFor(async () => (await getJson(vela, ladderPath('cam'))).renditions === null, { timeoutMs: 20000, what: 'the plan to go with the stream' });
  const camAgain = await publish(h, vela.rtmpUrl('cam'), { size: '640x360', rate: 30, gop: 30, name: 'ffmpeg-again' });
  const again = await waitFor(
    async () => {
      const got = await getJson(vela, ladderPath('cam'));
      if (!got.renditions) throw new Error('no plan yet');
      return got;
    },
    { timeoutMs: 30000, intervalMs: 500, what: 'the new plan' },
  );
  assert.deepEqual(again.renditions.map((r) => [r.name, r.width, r.height]), [['source', 640, 360], ['tiny', 214, 120]]);
  await camAgain.stop();
  await waitFor(async () => (await getJson(vela, ladderPath('cam'))).renditions === null, { timeoutMs: 20000, what: 'the second plan to go' });

  // 5. A stream with transcoding off, and one whose rungs are all above the source: neither
  // decodes anything, so the transcoder's worker time stands still while they are live.
  const plain = await publish(h, vela.rtmpUrl('plain'), { size: '320x180', rate: 30, gop: 30, name: 'ffmpeg-plain' });
  const above = await publish(h, vela.rtmpUrl('above'), { size: '256x144', rate: 30, gop: 30, name: 'ffmpeg-above' });
  const plan = await waitFor(
    async () => {
      const got = await getJson(vela, ladderPath('above'));
      if (!got.renditions) throw new Error('no plan yet');
      return got;
    },
    { timeoutMs: 30000, intervalMs: 500, what: 'the passthrough-only plan' },
  );
  assert.deepEqual(plan.renditions.map((r) => r.name), ['source']);
  assert.equal((await getJson(vela, ladderPath('plain'))).renditions, null, 'transcoding off: no plan at all');
  const work = async () => metric((await vela.request('/metrics')).text(), 'vela_transcode_work_microseconds_total');
  const workBefore = await work();
  await waitForStream(vela, 'above', { timeoutMs: 20000 });
  await waitForStream(vela, 'plain', { timeoutMs: 20000 });
  await sleep(2000);
  assert.equal(await work(), workBefore, 'no transcoding work for passthrough-only streams');
  await plain.stop();
  await above.stop();
});
