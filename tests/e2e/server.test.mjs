// The server as a process and an HTTP service: health, metrics, API, 404s, CORS, signals,
// and configuration errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
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

/** One raw HTTP/1.1 exchange over a socket: what the server wrote until it closed or idled. */
function rawExchange(port, chunks, { idleMs = 1500 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let timer;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    socket.on('data', (data) => {
      received += data.toString('latin1');
      idle();
      const next = chunks.shift();
      if (next?.after && received.includes(next.after)) socket.write(next.send);
      else if (next) chunks.unshift(next);
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(chunks.shift().send);
      idle();
    });
  });
}

e2eTest('one API shape: JSON errors, Allow on 405, per-path CORS methods, Host and 100-continue, WebRTC session URLs', async (t, h) => {
  const vela = await startVela(h);
  const isJsonError = (res, label) => {
    assert.match(res.headers['content-type'] ?? '', /^application\/json/, `${label}: content type`);
    const body = JSON.parse(res.text());
    assert.equal(typeof body.error, 'string', `${label}: ${res.text()}`);
    return body.error;
  };

  // Errors of every kind are {"error": "..."}.
  assert.match(isJsonError(await vela.request('/no/such/page'), '404'), /not found: \/no\/such\/page/);
  assert.ok(isJsonError(await vela.request('/live/nosuch/index.m3u8'), 'playlist 404'));
  const notAllowed = await vela.request('/healthz', { method: 'DELETE' });
  assert.equal(notAllowed.status, 405);
  assert.match(isJsonError(notAllowed, '405'), /DELETE is not allowed/);
  assert.equal(notAllowed.headers.allow, 'GET, HEAD, OPTIONS');

  // A preflight lists the methods of that path, not of the whole server.
  const preflight = async (path) => (await vela.request(path, { method: 'OPTIONS', headers: { Origin: 'http://player.example', 'Access-Control-Request-Method': 'POST' } })).headers['access-control-allow-methods'];
  assert.equal(await preflight('/live/somestream/index.m3u8'), 'GET, HEAD, OPTIONS');
  assert.equal(await preflight('/api/v1/streams/x/restreams'), 'GET, HEAD, POST, OPTIONS');
  assert.equal(await preflight('/whip/x'), 'POST, OPTIONS');
  assert.equal(await preflight('/whip/x/0-abc'), 'DELETE, PATCH, OPTIONS');

  // HTTP/1.1 without Host is refused (RFC 9112 3.2); Expect: 100-continue is answered
  // before the body is sent.
  const noHost = await rawExchange(vela.httpPort, [{ send: 'GET /healthz HTTP/1.1\r\n\r\n' }]);
  assert.match(noHost, /^HTTP\/1\.1 400 /, noHost);
  assert.match(noHost, /Host header/);
  const body = JSON.stringify({ url: 'rtmp://127.0.0.1:1/live/k' });
  const continued = await rawExchange(vela.httpPort, [
    { send: `POST /api/v1/streams/cont/restreams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n` },
    { after: 'HTTP/1.1 100 Continue\r\n\r\n', send: body },
  ]);
  assert.match(continued, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /, continued);

  // WebRTC: the media type is matched without regard to case; session URLs that name no
  // open session are 404 for PATCH and DELETE alike.
  const offer = await vela.request('/whep/nosuch', { method: 'POST', headers: { 'Content-Type': 'Application/SDP; charset=utf-8' }, body: 'v=0\r\n' });
  assert.equal(offer.status, 404, `an SDP offer for an unknown stream: ${offer.text()}`);
  for (const [method, headers] of [['PATCH', { 'Content-Type': 'application/trickle-ice-sdpfrag' }], ['DELETE', {}]]) {
    for (const path of ['/whip/x/0-deadbeef', '/whep/x/0-deadbeef', '/whip/x/junk']) {
      const res = await vela.request(path, { method, headers, body: method === 'PATCH' ? 'a=end-of-candidates\r\n' : undefined });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text()}`);
      assert.match(isJsonError(res, `${method} ${path}`), /no such WebRTC session/);
    }
  }

  // A WHIP offer whose client never connects holds its name only until ICE gives up (10 s):
  // then the name is free for the publisher's retry.
  const whipOffer = fs.readFileSync(new URL('../fuzz/corpus/sdp/chromium_whip', import.meta.url), 'utf8');
  const offerWhip = () => vela.request('/whip/pending', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: whipOffer });
  const answered = await offerWhip();
  assert.equal(answered.status, 201, answered.text());
  const held = await offerWhip();
  assert.equal(held.status, 409, `the name is held while the first offer may still connect: ${held.text()}`);
  await vela.proc.waitForLine(/ICE did not connect in time/, 20000);
  const retried = await waitFor(async () => {
    const res = await offerWhip();
    return res.status === 201 && res;
  }, { timeoutMs: 10000, intervalMs: 500, what: 'the name to be free again' });
  assert.ok(retried.headers.location.startsWith('/whip/pending/'), retried.headers.location);
  await vela.stopCleanly();
});

e2eTest('WHIP with a key that is refused: 401 with WWW-Authenticate', async (t, h) => {
  const vela = await startVela(h, { set: { 'auth.mode': 'keys', 'auth.keys.goodkey': 'cam' } });
  const res = await vela.request('/whip/cam', { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer wrong' }, body: 'v=0\r\n' });
  assert.equal(res.status, 401, res.text());
  assert.match(res.headers['www-authenticate'] ?? '', /^Bearer\b/);
  assert.equal(typeof JSON.parse(res.text()).error, 'string');
  // Logged with the address and reason, never the key; counted by protocol and reason.
  // (The log line comes over stderr, which may arrive after the HTTP answer.)
  await vela.proc.waitForLine(/whip stream=cam from 127\.0\.0\.1:\d+ refused: publish refused: unknown stream key/, 10000);
  assert.ok(!vela.proc.lines.some((line) => line.includes('wrong') && !line.includes(' --- ')), 'the key is in the log');
  const metrics = (await vela.request('/metrics')).text();
  assert.match(metrics, /^vela_webrtc_refused_total\{protocol="whip",reason="auth"\} 1$/m, metrics);
  assert.match(metrics, /^vela_http_responses_total\{class="4xx"\} [1-9]/m, metrics);
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
