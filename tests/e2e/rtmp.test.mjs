// RTMP ingest rules: one publisher per name, stream keys, and hostile clients that must not
// disturb a good stream.
import assert from 'node:assert/strict';
import net from 'node:net';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
import {
  PlaylistTracker,
  getMultivariant,
  pickVariant,
  waitForMedia,
  waitForStream,
} from './lib/hls.mjs';
import { completeSegments, lastCompleteSegment } from './lib/m3u8.mjs';
import { publish, startVela } from './lib/vela.mjs';

/** Waits until the stream has `more` complete segments beyond `after` (a playlist). */
async function waitForProgress(vela, mediaUrl, after, tracker, { more = 2, timeoutMs = 20000 } = {}) {
  const from = lastCompleteSegment(after)?.msn ?? -1;
  return waitForMedia(vela, mediaUrl, (p) => (lastCompleteSegment(p)?.msn ?? -1) >= from + more, {
    timeoutMs,
    tracker,
    what: `${more} more complete segments after ${from}`,
  });
}

/** A publisher that the server must refuse: ffmpeg gives up with an error, soon. */
async function assertRefused(h, vela, key, label) {
  const pub = await publish(h, vela.rtmpUrl(key), { size: '320x180', name: `ffmpeg-${label}` });
  const result = await pub.proc.waitExit(20000);
  assert.ok(result, `${label}: ffmpeg still publishing to live/${key} after 20 s`);
  assert.notEqual(result.code, 0, `${label}: ffmpeg exit code`);
  return pub;
}

e2eTest('a second publisher on a live name is refused; the first goes on', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h);
  const name = 'taken';
  const first = await publish(h, vela.rtmpUrl(name), { size: '640x360', name: 'ffmpeg-first' });
  const { mv, url } = await waitForStream(vela, name);
  const mediaUrl = pickVariant(mv, url, '640x360').url;
  const tracker = new PlaylistTracker();
  const before = await waitForMedia(vela, mediaUrl, (p) => completeSegments(p).length >= 1, { tracker, what: 'a complete segment' });
  const init = before.segments[0].map;

  await assertRefused(h, vela, name, 'second');
  assert.ok(first.running, 'the first publisher still runs');

  const after = await waitForProgress(vela, mediaUrl, before, tracker);
  assert.ok(after.segments.every((s) => !s.discontinuity), 'no discontinuity: the stream was not replaced');
  assert.ok(after.segments.every((s) => s.map === init), `same init segment ${init}: the stream was not replaced`);
  const again = await getMultivariant(vela, name);
  assert.equal(again.res.status, 200);
  assert.deepEqual(again.mv.variants.map((v) => v.attrs.RESOLUTION).filter((r) => r === '320x180'), [], 'no variant of the refused publisher');
  const api = JSON.parse((await vela.request('/api/v1/streams')).text());
  assert.equal(api.streams.filter((s) => s.name === name).length, 1, `one stream named ${name}: ${JSON.stringify(api)}`);
  assert.deepEqual(tracker.errors, []);
  await vela.stopCleanly();
});

e2eTest('stream keys: a registered key publishes its stream, others are refused', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'auth.mode': 'keys', 'auth.keys.s3cret': 'show' } });

  await assertRefused(h, vela, 'wrongkey', 'unknown-key');
  assert.equal((await getMultivariant(vela, 'wrongkey')).res.status, 404);
  await assertRefused(h, vela, 'show', 'name-as-key');
  assert.equal((await getMultivariant(vela, 'show')).res.status, 404);
  // Refusals are logged with the client's address (not the key) and counted by reason.
  const refusal = / rtmp session=\S+ from 127\.0\.0\.1:\d+ publish refused: unknown stream key/;
  await waitFor(() => vela.proc.lines.filter((line) => refusal.test(line)).length === 2, { timeoutMs: 10000, what: 'two refusals in the log' });
  const metrics = (await vela.request('/metrics')).text();
  assert.match(metrics, /^vela_rtmp_refused_total\{reason="auth"\} 2$/m, metrics);

  await publish(h, vela.rtmpUrl('s3cret'), { size: '320x180', name: 'ffmpeg-key' });
  const { mv, url } = await waitForStream(vela, 'show');
  await waitForMedia(vela, pickVariant(mv, url).url, (p) => completeSegments(p).length >= 1, { what: 'a complete segment of show' });
  assert.equal((await getMultivariant(vela, 's3cret')).res.status, 404, 'the key is not a stream name');

  // The key is never shown to viewers.
  const api = await vela.request('/api/v1/streams');
  assert.ok(JSON.parse(api.text()).streams.some((s) => s.name === 'show'), api.text());
  assert.ok(!api.text().includes('s3cret'), `the API shows the key: ${api.text()}`);
  for (const path of ['/', '/watch/show', '/live/show/index.m3u8']) {
    const res = await vela.request(path);
    assert.ok(!res.text().includes('s3cret'), `${path} shows the key`);
  }
  await vela.stopCleanly();
});

/** Deterministic bytes (mulberry32), so a failing input can be replayed from its seed. */
function garbage(seed, length) {
  let a = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    out[i] = ((x ^ (x >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/**
 * Connects to the RTMP port, runs `script(socket, read)`, and resolves how the connection
 * ended: { closedBy: 'server' | 'timeout', ms, received }.
 */
function hostileClient(port, script, { timeoutMs = 20000 } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const waiters = [];
    let done = false;
    const finish = (closedBy) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedBy, ms: Date.now() - t0, received: received.length });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('end', () => finish('server'));
    socket.on('close', () => finish('server'));
    socket.on('error', () => finish('server')); // ECONNRESET / EPIPE: the server hung up
    const read = async (n) => {
      while (received.length < n && !done) await new Promise((r) => waiters.push(r));
      return received.subarray(0, n);
    };
    socket.once('connect', () => {
      script(socket, read).catch(() => {});
    });
  });
}

e2eTest('garbage on the RTMP port is disconnected and does not disturb a good stream', { timeout: 120000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'rtmp.idle_timeout_s': 5 } });
  const name = 'steady';
  const pub = await publish(h, vela.rtmpUrl(name), { size: '640x360' });
  const { mv, url } = await waitForStream(vela, name);
  const mediaUrl = pickVariant(mv, url, '640x360').url;
  const tracker = new PlaylistTracker();
  const before = await waitForMedia(vela, mediaUrl, (p) => completeSegments(p).length >= 1, { tracker, what: 'a complete segment' });

  const seed = (Date.now() & 0x7fffffff) >>> 0;
  t.diagnostic(`garbage seed ${seed}`);
  const clients = {
    // 2000 random bytes from the first byte on.
    random: hostileClient(vela.rtmpPort, async (s) => {
      s.write(garbage(seed, 2000));
    }),
    // A valid RTMP version byte, then random bytes.
    'version-then-random': hostileClient(vela.rtmpPort, async (s) => {
      s.write(Buffer.concat([Buffer.from([3]), garbage(seed + 1, 1999)]));
    }),
    // A complete simple handshake (C0, C1, C2 = echo of S1), then a random chunk stream.
    'handshake-then-random': hostileClient(vela.rtmpPort, async (s, read) => {
      const c1 = Buffer.concat([Buffer.alloc(8), garbage(seed + 2, 1528)]);
      s.write(Buffer.concat([Buffer.from([3]), c1]));
      const s0s1 = await read(1 + 1536);
      s.write(Buffer.from(s0s1.subarray(1, 1537)));
      await sleep(100);
      s.write(garbage(seed + 3, 2000));
    }),
    // Connects and says nothing: the idle timeout must end it.
    silent: hostileClient(vela.rtmpPort, async () => {}),
  };
  const results = Object.fromEntries(await Promise.all(Object.entries(clients).map(async ([k, p]) => [k, await p])));
  t.diagnostic(`hostile clients: ${JSON.stringify(results)}`);
  for (const [kind, result] of Object.entries(results)) {
    assert.equal(result.closedBy, 'server', `${kind}: the server kept the connection open for ${result.ms} ms`);
  }

  assert.ok(vela.proc.running, 'vela still runs');
  assert.equal((await vela.request('/healthz')).status, 200);
  assert.ok(pub.running, 'the good publisher still runs');
  await waitForProgress(vela, mediaUrl, before, tracker, { more: 2 });
  assert.deepEqual(tracker.errors, [], 'the good stream stayed consistent');
  await vela.stopCleanly();
});
