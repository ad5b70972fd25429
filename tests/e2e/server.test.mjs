// The server as a process and an HTTP service: health, metrics, API, 404s, CORS, signals,
// and configuration errors.
import assert from 'node:assert/strict';
import { e2eTest, sleep } from './lib/harness.mjs';
import { getMultivariant, getMedia, pickVariant, waitForMedia, waitForStream } from './lib/hls.mjs';
import { freeTcpPorts, httpRequest, publish, serveArgs, startVela, velaBin } from './lib/vela.mjs';

const kSample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?\s+(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[+-]Inf)(\s+-?\d+)?$/;

e2eTest('health, metrics, API, pages, and 404 for unknown streams', async (t, h) => {
  const vela = await startVela(h);

  const health = await vela.request('/healthz');
  assert.equal(health.status, 200);

  const metrics = await vela.request('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
  const lines = metrics.text().split('\n').filter((l) => l.length > 0);
  const samples = lines.filter((l) => !l.startsWith('#'));
  assert.ok(samples.some((l) => l.startsWith('vela_')), `no vela_ sample in /metrics:\n${metrics.text().slice(0, 2000)}`);
  const bad = samples.filter((l) => !kSample.test(l));
  assert.deepEqual(bad, [], 'lines that are not Prometheus text samples');
  for (const line of lines.filter((l) => l.startsWith('# TYPE '))) {
    assert.match(line, /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/);
  }

  const api = await vela.request('/api/v1/streams');
  assert.equal(api.status, 200);
  assert.match(api.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(api.text());
  assert.ok(Array.isArray(body.streams), `streams is not an array: ${api.text()}`);
  assert.equal(body.streams.length, 0, 'a fresh server lists no streams');

  const missing = await getMultivariant(vela, 'nosuchstream');
  assert.equal(missing.res.status, 404, 'multivariant playlist of an unknown stream');
  const missingMedia = await vela.request('/live/nosuchstream/video.m3u8');
  assert.equal(missingMedia.status, 404, 'media playlist of an unknown stream');
  const missingSegment = await vela.request('/live/nosuchstream/video/seg1.m4s');
  assert.equal(missingSegment.status, 404, 'segment of an unknown stream');
  assert.equal((await vela.request('/no/such/page')).status, 404);

  const home = await vela.request('/');
  assert.equal(home.status, 200);
  assert.match(home.headers['content-type'] ?? '', /^text\/html/);
  const watch = await vela.request('/watch/anything');
  assert.equal(watch.status, 200);
  assert.match(watch.headers['content-type'] ?? '', /^text\/html/);

  await vela.stopCleanly();
});

e2eTest('CORS headers on responses and OPTIONS preflight', async (t, h) => {
  const vela = await startVela(h);
  const origin = 'http://player.example';

  for (const path of ['/healthz', '/api/v1/streams', '/live/nosuchstream/index.m3u8']) {
    const res = await vela.request(path, { headers: { Origin: origin } });
    const allow = res.headers['access-control-allow-origin'];
    assert.ok(allow === '*' || allow === origin, `${path} (${res.status}): Access-Control-Allow-Origin is ${allow}`);
  }

  const preflight = await vela.request('/live/somestream/index.m3u8', {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
  });
  assert.ok([200, 204].includes(preflight.status), `preflight status ${preflight.status}`);
  const allow = preflight.headers['access-control-allow-origin'];
  assert.ok(allow === '*' || allow === origin, `preflight Access-Control-Allow-Origin is ${allow}`);
  assert.match(preflight.headers['access-control-allow-methods'] ?? '', /\bGET\b/);
  await vela.stopCleanly();
});

e2eTest('SIGTERM while publishing and serving exits 0 within 10 s', async (t, h) => {
  const vela = await startVela(h);
  const name = 'sigterm';
  const pub = await publish(h, vela.rtmpUrl(name), { size: '320x180' });
  const { mv, url } = await waitForStream(vela, name);
  const media = pickVariant(mv, url).url;
  const pl = await waitForMedia(vela, media, (p) => p.segments.length > 0, { what: 'a first part' });

  // A request parked on a part that does not exist yet, and idle keep-alive connections
  // (the test's agent holds them), are in flight when the signal arrives.
  // The first part of the segment after the one in progress: near enough to be parked,
  // not refused as too far ahead.
  const next = pl.segments.at(-1).msn + 1;
  const parked = getMedia(vela, media, { _HLS_msn: next, _HLS_part: 0 }, { timeoutMs: 20000 }).then(
    (r) => `status ${r.res.status}`,
    (e) => `error ${e.message}`,
  );
  await sleep(300);
  const stop = await vela.stopCleanly(10000);
  t.diagnostic(`stopped in ${stop.ms} ms; parked request: ${await parked}`);

  const published = await pub.proc.waitExit(15000);
  assert.ok(published, 'the publisher still runs 15 s after the server exited');
});

e2eTest('SIGINT exits 0 too', async (t, h) => {
  const vela = await startVela(h);
  const stop = await vela.proc.stop('SIGINT', 10000);
  assert.equal(stop.timedOut, false, 'vela did not exit within 10 s of SIGINT');
  assert.equal(stop.code, 0);
});

e2eTest('`vela version` prints a version and exits 0', async (t, h) => {
  const proc = await h.spawn('vela-version', velaBin(), ['version']);
  const result = await proc.waitExit(10000);
  assert.ok(result, '`vela version` did not exit within 10 s');
  assert.equal(result.code, 0);
  assert.match(proc.output(), /\bout \S/, 'prints something on stdout');
});

e2eTest('configuration errors fail fast with a message naming the key', async (t, h) => {
  const bin = velaBin();
  const [httpPort, rtmpPort] = await freeTcpPorts(2);
  const dataDir = await h.dir('data');
  const good = {
    'http.listen': `127.0.0.1:${httpPort}`,
    'rtmp.listen': `127.0.0.1:${rtmpPort}`,
    'storage.data_dir': dataDir,
  };
  const cases = [
    { key: 'http.listen', settings: { ...good, 'http.listen': 'nonsense' } },
    { key: 'no_such_section.no_such_key', settings: { ...good, 'no_such_section.no_such_key': 1 } },
    { key: 'hls.part_target_s', settings: { ...good, 'hls.part_target_s': 'abc' } },
  ];
  for (const { key, settings } of cases) {
    await t.test(`--set ${key}=${settings[key]}`, async () => {
      const proc = await h.spawn('vela-bad-config', bin, serveArgs(settings));
      const result = await proc.waitExit(10000);
      assert.ok(result, `vela serve with a bad ${key} still runs after 10 s`);
      assert.equal(result.signal, null, `died of ${result.signal}`);
      assert.notEqual(result.code, 0, 'exit code');
      const printed = proc.lines.filter((l) => /^\+\S+ (out|err) /.test(l)).join('\n');
      assert.ok(printed.includes(key), `the message does not name ${key}:\n${printed}`);
      // It must not have come up on the good port either.
      const probe = await httpRequest(`http://127.0.0.1:${httpPort}/healthz`, { timeoutMs: 2000 }).catch(() => null);
      assert.ok(probe === null || probe.status !== 200, 'a server with a bad config answered /healthz');
    });
  }
});
