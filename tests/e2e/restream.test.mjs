// Restream (push-out): vela pushes a live stream to an external RTMP server (nginx with
// Debian's libnginx-mod-rtmp), which must serve it to ffprobe; the push survives a restart
// of the destination by itself, and a second, unreachable destination disturbs nothing.
// SRT push is checked against vela's own SRT ingest.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { e2eTest, waitFor } from './lib/harness.mjs';
import { runTool } from './lib/media.mjs';
import { waitForStream } from './lib/hls.mjs';
import { FFPROBE, freeTcpPorts, publish, startVela } from './lib/vela.mjs';

const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const RTMP_MODULE = process.env.NGINX_RTMP_MODULE || '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Starts nginx-rtmp in the foreground on 127.0.0.1:port, tracked by the harness (stopped by PID). */
async function startNginx(h, dir, port) {
  const conf = path.join(dir, 'nginx.conf');
  await fs.writeFile(conf, [
    `load_module ${RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    `error_log ${path.join(dir, 'error.log')} info;`,
    `pid ${path.join(dir, 'nginx.pid')};`,
    'events { worker_connections 64; }',
    `rtmp { server { listen 127.0.0.1:${port}; application live { live on; } } }`,
    '',
  ].join('\n'));
  const proc = await h.spawn('nginx', NGINX, ['-p', dir, '-c', conf]);
  // nginx prints nothing when it is up: wait until the port accepts connections.
  await waitFor(async () => {
    if (!proc.running) throw new Error(`nginx exited: ${proc.tail()}`);
    const res = await runTool('/usr/bin/env', ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { timeoutMs: 2000 });
    return res.code === 0;
  }, { timeoutMs: 10000, what: `nginx listening on ${port}` });
  return proc;
}

/** ffprobe pulling from the destination: the streams it found. */
async function probeDestination(url) {
  const res = await runTool(FFPROBE, ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_type,codec_name,width,height,sample_rate', '-of', 'json', url], { timeoutMs: 30000 });
  assert.equal(res.code, 0, `ffprobe ${url} failed: ${res.stderr}`);
  return JSON.parse(res.stdout).streams;
}

async function restreams(vela, name) {
  const res = await vela.request(`/api/v1/streams/${name}/restreams`);
  assert.equal(res.status, 200, res.text());
  return { list: JSON.parse(res.text()).restreams, text: res.text() };
}

e2eTest('restream to nginx-rtmp: pushed, pulled back, and recovered after a destination restart', { timeout: 150000 }, async (t, h) => {
  const nginxDir = await h.dir('nginx');
  const [nginxPort, deadPort] = await freeTcpPorts(2);
  let nginx = await startNginx(h, nginxDir, nginxPort);
  const destination = `rtmp://127.0.0.1:${nginxPort}/live/pushkey`;
  const vela = await startVela(h, {
    set: {
      'restream.destinations.show': JSON.stringify([destination]),
      'restream.backoff_min_s': 0.5,
      'restream.backoff_max_s': 2,
    },
  });

  // Through the API: a bad URL is refused with its reason; an unreachable one is accepted.
  const bad = await vela.request('/api/v1/streams/show/restreams', { method: 'POST', body: JSON.stringify({ url: 'rtmp://nohost' }) });
  assert.equal(bad.status, 400, bad.text());
  assert.match(JSON.parse(bad.text()).error, /bad RTMP URL/);
  const added = await vela.request('/api/v1/streams/show/restreams', { method: 'POST', body: JSON.stringify({ url: `rtmp://127.0.0.1:${deadPort}/live/nowhere` }) });
  assert.equal(added.status, 201, added.text());
  const dead = JSON.parse(added.text());
  assert.equal(dead.url, `rtmp://127.0.0.1:${deadPort}/live/****`);

  const before = await restreams(vela, 'show');
  assert.equal(before.list.length, 2, before.text);
  assert.ok(before.list.every((r) => r.state === 'stopped'), `not live yet: ${before.text}`);

  await publish(h, vela.rtmpUrl('show'), { size: '640x360', gop: 30 });
  const live = await waitFor(async () => {
    const { list } = await restreams(vela, 'show');
    const pushed = list.find((r) => r.configured);
    return pushed.state === 'live' && pushed.bytes_sent > 0 && pushed;
  }, { timeoutMs: 20000, what: 'the nginx destination to be live with bytes sent' });

  const streams = await probeDestination(destination);
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  assert.equal(video?.codec_name, 'h264', JSON.stringify(streams));
  assert.equal(video.width, 640);
  assert.equal(video.height, 360);
  assert.equal(audio?.codec_name, 'aac', JSON.stringify(streams));

  // The unreachable destination keeps failing with a reason, and keeps retrying.
  const failing = await waitFor(async () => {
    const { list } = await restreams(vela, 'show');
    const d = list.find((r) => r.id === dead.id);
    return d.state === 'failed' && d.attempts >= 2 && d.last_error && d.last_error.includes('cannot connect') && d;
  }, { timeoutMs: 15000, what: 'the unreachable destination to fail and retry' });
  assert.equal(failing.bytes_sent, 0);
  const { list: both, text } = await restreams(vela, 'show');
  assert.equal(both.find((r) => r.configured).state, 'live', `the failing destination disturbed the other: ${text}`);
  assert.ok(!text.includes('pushkey') && !text.includes('nowhere'), `stream keys shown: ${text}`);

  // The destination goes away: the push notices and says why.
  await nginx.stop();
  const down = await waitFor(async () => {
    const { list } = await restreams(vela, 'show');
    const pushed = list.find((r) => r.configured);
    return ['connecting', 'failed'].includes(pushed.state) && pushed.last_error && pushed;
  }, { timeoutMs: 20000, what: 'the push to notice nginx stopped' });
  t.diagnostic(`after the destination stopped: ${JSON.stringify(down)}`);

  // It comes back: the push reconnects by itself and nginx serves the stream again.
  nginx = await startNginx(h, nginxDir, nginxPort);
  const again = await waitFor(async () => {
    const { list } = await restreams(vela, 'show');
    const pushed = list.find((r) => r.configured);
    return pushed.state === 'live' && pushed.attempts > live.attempts && pushed.bytes_sent > down.bytes_sent && pushed;
  }, { timeoutMs: 20000, what: 'the push to come back after nginx restarted' });
  t.diagnostic(`after the destination restarted: ${JSON.stringify(again)}`);
  const streamsAgain = await probeDestination(destination);
  assert.ok(streamsAgain.some((s) => s.codec_name === 'h264'), JSON.stringify(streamsAgain));
  assert.ok(streamsAgain.some((s) => s.codec_name === 'aac'), JSON.stringify(streamsAgain));

  // Removal through the API.
  const removed = await vela.request(`/api/v1/streams/show/restreams/${dead.id}`, { method: 'DELETE' });
  assert.equal(removed.status, 204);
  assert.equal((await vela.request(`/api/v1/streams/show/restreams/${dead.id}`, { method: 'DELETE' })).status, 404);
  assert.deepEqual((await restreams(vela, 'show')).list.map((r) => r.id), [live.id]);

  // (The harness's own note of the command line has the key; vela's log lines must not.)
  const logLines = vela.proc.output().split('\n').filter((line) => !line.includes(' --- $ '));
  assert.deepEqual(logLines.filter((line) => line.includes('pushkey')), [], 'the stream key appears in the log');
  await vela.stopCleanly();
});

e2eTest('restream over SRT: vela pushes a stream as MPEG-TS to an SRT listener (itself, under another name)', { timeout: 90000 }, async (t, h) => {
  const vela = await startVela(h, { set: { 'restream.backoff_min_s': 0.5, 'restream.backoff_max_s': 2 } });
  const srtListen = vela.settings['srt.listen'];
  // The destination is vela's own SRT ingest: the pushed copy becomes the stream "copy".
  const destination = `srt://${srtListen}?streamid=publish:live/copy&latency=120`;
  const added = await vela.request('/api/v1/streams/original/restreams', { method: 'POST', body: JSON.stringify({ url: destination }) });
  assert.equal(added.status, 201, added.text());
  assert.equal(JSON.parse(added.text()).url, `srt://${srtListen}?streamid=****&latency=120`, 'stream id masked');
  // Only names that could be published get destinations.
  for (const bad of ['has%20space', 'x'.repeat(129), '%3Cb%3Ex']) {
    const refused = await vela.request(`/api/v1/streams/${bad}/restreams`, { method: 'POST', body: JSON.stringify({ url: destination }) });
    assert.equal(refused.status, 400, `${bad}: ${refused.text()}`);
    assert.match(JSON.parse(refused.text()).error, /invalid stream name/);
  }

  await publish(h, vela.rtmpUrl('original'), { size: '320x240', gop: 30 });
  await waitFor(async () => {
    const { list } = await restreams(vela, 'original');
    return list[0].state === 'live' && list[0].bytes_sent > 0;
  }, { timeoutMs: 20000, what: 'the SRT push to be live' });
  const { mv } = await waitForStream(vela, 'copy', { timeoutMs: 20000 });
  assert.deepEqual(mv.errors, [], 'the pushed copy has a valid multivariant playlist');
  const listed = JSON.parse((await vela.request('/api/v1/streams')).text()).streams.find((s) => s.name === 'copy');
  assert.equal(listed?.ingest?.protocol, 'srt', JSON.stringify(listed));
  const video = listed.tracks.find((tr) => tr.kind === 'video');
  assert.equal(video?.width, 320, JSON.stringify(listed.tracks));
  assert.ok(listed.tracks.some((tr) => tr.kind === 'audio'), 'the copy has audio');

  // A destination added while its stream is already live (and had none) is pushed now.
  await publish(h, vela.rtmpUrl('late'), { size: '320x240', gop: 30, name: 'ffmpeg-late' });
  await waitForStream(vela, 'late', { timeoutMs: 20000 });
  const late = await vela.request('/api/v1/streams/late/restreams', { method: 'POST', body: JSON.stringify({ url: vela.rtmpUrl('latecopy') }) });
  assert.equal(late.status, 201, late.text());
  assert.equal(JSON.parse(late.text()).state, 'connecting', late.text());
  await waitFor(async () => {
    const { list } = await restreams(vela, 'late');
    return list[0].state === 'live' && list[0].attempts === 1 && list[0].bytes_sent > 0;
  }, { timeoutMs: 20000, what: 'the destination added while live to be pushed' });
  await waitForStream(vela, 'latecopy', { timeoutMs: 20000 });
  await vela.stopCleanly();
});
