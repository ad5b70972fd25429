// Recording (issue 12): every publish session is written to storage.data_dir/recordings as the
// packager makes it. A clean end finalizes it; `kill -9` of the server loses nothing already
// served to viewers: at the next start the recording is repaired and finalized, and it holds
// every part a viewer could have fetched before the kill.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { getMedia, pickVariant, resolve, waitForMedia, waitForStream } from './lib/hls.mjs';
import { completeSegments } from './lib/m3u8.mjs';
import { decode, probe, writeConcat } from './lib/media.mjs';
import { publish, startVela } from './lib/vela.mjs';

const kRecordSize = 64;
const kKinds = { 1: 'init', 2: 'part', 3: 'segment_end', 4: 'checkpoint', 5: 'end' };

/** The records of an index journal (src/record/recording_index.cpp has the layout). */
function readIndex(bytes) {
  const records = [];
  for (let at = 0; at + kRecordSize <= bytes.length; at += kRecordSize) {
    if (bytes.readUInt32BE(at) !== 0x56525831) break;
    records.push({
      kind: kKinds[bytes[at + 4]],
      rendition: bytes.readUInt16BE(at + 6),
      msn: Number(bytes.readBigUInt64BE(at + 8)),
      index: bytes.readUInt32BE(at + 16),
      size: bytes.readUInt32BE(at + 20),
    });
  }
  return records;
}

async function recordingsOf(vela, stream) {
  const root = path.join(vela.dataDir, 'recordings');
  const found = [];
  for (const id of await fs.readdir(root).catch(() => [])) {
    const meta = JSON.parse(await fs.readFile(path.join(root, id, 'recording.json'), 'utf8'));
    if (meta.stream === stream) found.push({ id, dir: path.join(root, id), meta });
  }
  return found;
}

const videoPackets = (probed) => probed.packets.filter((p) => p.type === 'video').length;

e2eTest('recording: a clean end is finalized and listed, kill -9 loses nothing that was served, recordings can be deleted', { timeout: 120000 }, async (t, h) => {
  const vela = await startVela(h, { name: 'vela-1' });

  // A clean end: the publisher leaves, the recording is finalized within a second.
  const clean = await publish(h, vela.rtmpUrl('clean'), { size: '320x180', gop: 30, maxSeconds: 4 });
  await vela.proc.waitForLine(/recording \S+ of stream clean started/, 20000);
  await clean.proc.waitExit(20000);
  await vela.proc.waitForLine(/recording \S+ of stream clean finished: \d+ bytes/, 10000);
  const [cleanRecording] = await recordingsOf(vela, 'clean');
  assert.ok(cleanRecording, 'a recording of the clean stream');
  assert.equal(cleanRecording.meta.renditions[0].name, 'video');
  const cleanIndex = readIndex(await fs.readFile(path.join(cleanRecording.dir, 'index.vrx')));
  assert.equal(cleanIndex.at(-1).kind, 'end', 'the journal ends with its end record');
  // The API lists it as finished, with its length and renditions.
  const listed = JSON.parse((await vela.request('/api/v1/recordings')).text()).recordings;
  const entry = listed.find((r) => r.id === cleanRecording.id);
  assert.ok(entry, `listed: ${JSON.stringify(listed)}`);
  assert.equal(entry.stream, 'clean');
  assert.equal(entry.state, 'finished');
  assert.ok(entry.duration_s >= 3 && entry.duration_s <= 4.5, `duration ${entry.duration_s}`);
  assert.ok(entry.size_bytes > 0);
  assert.deepEqual(entry.renditions.map((r) => [r.name, r.width, r.height]), [['video', 320, 180]]);
  assert.deepEqual(JSON.parse((await vela.request(`/api/v1/recordings/${entry.id}`)).text()), entry);
  const unknown = await vela.request('/api/v1/recordings/nosuch');
  assert.equal(unknown.status, 404);
  assert.match(JSON.parse(unknown.text()).error, /no recording 'nosuch'/);
  for (const bad of ['..%2F..%2Fetc', '%2e%2e', '.hidden']) {
    for (const method of ['GET', 'DELETE']) {
      const res = await vela.request(`/api/v1/recordings/${bad}`, { method });
      assert.equal(res.status, 404, `${method} ${bad}: ${res.text()}`);
      assert.equal(typeof JSON.parse(res.text()).error, 'string');
    }
  }
  const cleanProbe = await probe(path.join(cleanRecording.dir, 'rendition-0.mp4'));
  assert.equal(cleanProbe.stderr, '', 'the data file is a fragmented MP4 ffprobe reads');
  // 4 s at 30 fps, less what ffmpeg buffered when its -t ran out.
  assert.ok(videoPackets(cleanProbe) >= 90, `${videoPackets(cleanProbe)} video frames recorded of 120 published`);

  // The crash: note everything a viewer can fetch, then SIGKILL the server mid-stream.
  const live = await publish(h, vela.rtmpUrl('crash'), { size: '640x360', gop: 30, maxSeconds: 60 });
  const { mv, url } = await waitForStream(vela, 'crash');
  const media = pickVariant(mv, url).url;
  const served = await waitForMedia(vela, media, (pl) => completeSegments(pl).length >= 3, { what: 'three segments', timeoutMs: 30000 });
  const dir = await h.dir('served');
  const init = (await vela.request(resolve(served.segments[0].map, media))).body;
  const parts = [];
  for (const part of served.segments.flatMap((s) => s.parts)) {
    const res = await vela.request(resolve(part.uri, media));
    assert.equal(res.status, 200, `part ${part.msn}.${part.index}`);
    parts.push({ msn: part.msn, index: part.index, body: res.body });
  }
  const servedFile = await writeConcat(dir, 'served.mp4', [init, ...parts.map((p) => p.body)]);
  const servedFrames = videoPackets(await probe(servedFile));
  assert.ok(servedFrames > 0);
  const recording = JSON.parse((await vela.request('/api/v1/recordings')).text()).recordings.find((r) => r.stream === 'crash');
  assert.equal(recording?.state, 'recording', 'listed while it is being written');
  const refused = await vela.request(`/api/v1/recordings/${recording.id}`, { method: 'DELETE' });
  assert.equal(refused.status, 409, `a recording in progress is not deleted: ${refused.text()}`);
  await vela.proc.stop('SIGKILL', 10000);
  await live.stop();

  const [crashed] = await recordingsOf(vela, 'crash');
  assert.ok(crashed, 'a recording of the stream that was live');
  const before = readIndex(await fs.readFile(path.join(crashed.dir, 'index.vrx')));
  assert.notEqual(before.at(-1)?.kind, 'end', 'not finalized before the restart');

  // The restart repairs and finalizes it.
  const again = await startVela(h, { name: 'vela-2', set: { 'storage.data_dir': vela.dataDir } });
  await again.proc.waitForLine(new RegExp(`recording ${crashed.id} was not finished .*: finalized with \\d+ records`), 10000);
  const after = readIndex(await fs.readFile(path.join(crashed.dir, 'index.vrx')));
  assert.equal(after.at(-1).kind, 'end');
  const recordedParts = new Set(after.filter((r) => r.kind === 'part' && r.rendition === 0).map((r) => `${r.msn}.${r.index}`));
  const missing = parts.filter((p) => !recordedParts.has(`${p.msn}.${p.index}`)).map((p) => `${p.msn}.${p.index}`);
  assert.deepEqual(missing, [], 'every part served before the kill is in the recording');

  const recordedFile = path.join(crashed.dir, 'rendition-0.mp4');
  const recordedFrames = videoPackets(await probe(recordedFile));
  assert.ok(recordedFrames >= servedFrames, `recorded ${recordedFrames} video frames, ${servedFrames} were served`);
  const decoded = await decode(recordedFile);
  assert.equal(decoded.code, 0, decoded.stderr);
  assert.equal(decoded.stderr, '', 'the repaired recording decodes without errors');
  t.diagnostic(`served ${parts.length} parts (${servedFrames} frames) before kill -9; recorded ${recordedParts.size} parts (${recordedFrames} frames)`);

  // Listed after the restart as finished; deleting it removes its files.
  const afterRestart = JSON.parse((await again.request(`/api/v1/recordings/${crashed.id}`)).text());
  assert.equal(afterRestart.state, 'finished');
  assert.ok(afterRestart.duration_s > 0);
  const deleted = await again.request(`/api/v1/recordings/${crashed.id}`, { method: 'DELETE' });
  assert.equal(deleted.status, 204, deleted.text());
  await again.proc.waitForLine(new RegExp(`recording ${crashed.id} deleted`), 10000);
  assert.equal(await fs.stat(crashed.dir).then(() => true, () => false), false, 'its directory is gone');
  assert.equal((await again.request(`/api/v1/recordings/${crashed.id}`, { method: 'DELETE' })).status, 404);

  // Repair happens once: the next start finds nothing to do (its log comes before serving).
  await again.stopCleanly();
  const third = await startVela(h, { name: 'vela-3', set: { 'storage.data_dir': vela.dataDir } });
  await third.proc.waitForLine(/vela serving/, 10000);
  assert.ok(!third.proc.lines.some((line) => /was not finished|repaired/.test(line)), 'repair runs once');
  await third.stopCleanly();
});
