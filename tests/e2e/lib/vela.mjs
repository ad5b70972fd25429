// Starting the real `vela` binary and real publishers, free ports, and an HTTP client.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { accessSync, constants, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { waitFor, sleep } from './harness.mjs';

export const FFMPEG = process.env.FFMPEG || '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE || '/usr/bin/ffprobe';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Absolute path of the binary under test, from VELA_BIN; a clear error when unusable. */
export function velaBin() {
  const bin = process.env.VELA_BIN;
  if (!bin) {
    throw new Error(
      'VELA_BIN is not set. Run `make e2e` from the repository root, or ' +
        '`cd tests/e2e && VELA_BIN=/abs/path/to/vela node --test --test-concurrency=1`.',
    );
  }
  try {
    if (!statSync(bin).isFile()) throw new Error('not a regular file');
    accessSync(bin, constants.X_OK);
  } catch (err) {
    throw new Error(`VELA_BIN=${bin} is not an executable file (${err.code ?? err.message}). Build it first (make build).`);
  }
  return bin;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/**
 * n distinct free TCP ports on 127.0.0.1 (all held open together, then released). Another
 * process could still take one before vela binds it; startVela retries on that.
 */
export async function freeTcpPorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = net.createServer();
      await listen(server, 0);
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

/**
 * A port free for UDP and TCP on 127.0.0.1 (WebRTC uses both on one port), with the
 * `count - 1` ports after it free too (vela's WebRTC takes one port per shard).
 */
export async function freeUdpPort(avoid = [], count = 1) {
  const freeForBoth = async (port) => {
    const socket = dgram.createSocket('udp4');
    const udpFree = await new Promise((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    const tcp = net.createServer();
    const tcpFree = udpFree && (await listen(tcp, port).then(() => true, () => false));
    await new Promise((resolve) => (tcpFree ? tcp.close(() => resolve()) : resolve()));
    await new Promise((resolve) => (udpFree ? socket.close(() => resolve()) : resolve()));
    return tcpFree;
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const socket = dgram.createSocket('udp4');
    const port = await new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(socket.address().port));
    });
    await new Promise((resolve) => socket.close(() => resolve()));
    if (port + count > 65535) continue;
    let free = true;
    for (let p = port; p < port + count && free; p++) free = !avoid.includes(p) && (await freeForBoth(p));
    if (free) return port;
  }
  throw new Error('no free UDP+TCP port found');
}

/**
 * HTTP request with a hard deadline. Resolves { status, headers, body (Buffer), text(), ms }
 * for any status; rejects on network errors and on timeout (the message names the URL).
 */
export function httpRequest(url, { method = 'GET', headers = {}, body, timeoutMs = 10000, agent } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const req = http.request(url, { method, headers, agent: agent ?? false });
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms: ${method} ${url}`));
    }, timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err.message.includes(url) ? err : new Error(`${method} ${url}: ${err.message}`));
    });
    req.once('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${method} ${url}: response: ${err.message}`));
      });
      res.once('end', () => {
        clearTimeout(timer);
        const data = Buffer.concat(chunks);
        resolve({
          url,
          status: res.statusCode,
          headers: res.headers,
          body: data,
          text: () => data.toString('utf8'),
          ms: Date.now() - t0,
        });
      });
    });
    req.end(body);
  });
}

/** A running vela server. */
export class Vela {
  constructor(h, proc, { httpPort, rtmpPort, dataDir, settings }) {
    this.h = h;
    this.proc = proc;
    this.httpPort = httpPort;
    this.rtmpPort = rtmpPort;
    this.dataDir = dataDir;
    this.settings = settings;
    this.base = `http://127.0.0.1:${httpPort}`;
  }

  url(pathOrUrl) {
    return new URL(pathOrUrl, this.base).href;
  }

  rtmpUrl(key) {
    return `rtmp://127.0.0.1:${this.rtmpPort}/live/${key}`;
  }

  playlistUrl(name) {
    return this.url(`/live/${encodeURIComponent(name)}/index.m3u8`);
  }

  /** GET (or other method) on a path or absolute URL, over the test's keep-alive pool. */
  request(pathOrUrl, options = {}) {
    return httpRequest(this.url(pathOrUrl), { agent: this.h.agent, ...options });
  }

  async waitHealthy(timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.proc.running) {
        throw new Error(`vela exited before /healthz answered (code=${this.proc.result.code}, signal=${this.proc.result.signal})\n${this.proc.tail()}`);
      }
      try {
        const res = await httpRequest(this.url('/healthz'), { timeoutMs: 2000 });
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (err) {
        last = err.message;
      }
      await sleep(100);
    }
    throw new Error(`vela /healthz not 200 within ${timeoutMs} ms (${last})\n${this.proc.tail()}`);
  }

  /** SIGTERM by PID; resolves { code, signal, ms, timedOut } (SIGKILL after timeoutMs). */
  stop(timeoutMs = 10000) {
    return this.proc.stop('SIGTERM', timeoutMs);
  }

  /** SIGTERM by PID and asserts a clean exit: code 0 within timeoutMs. */
  async stopCleanly(timeoutMs = 10000) {
    const result = await this.stop(timeoutMs);
    assert.equal(result.timedOut, false, `vela did not exit within ${timeoutMs} ms of SIGTERM`);
    assert.equal(result.signal, null, `vela died of ${result.signal}`);
    assert.equal(result.code, 0, 'vela exit code after SIGTERM');
    return result;
  }
}

/** Arguments of `vela serve` for a map of config keys. */
export function serveArgs(settings) {
  return ['serve', ...Object.entries(settings).flatMap(([key, value]) => ['--set', `${key}=${value}`])];
}

/**
 * VELA_SHARDS=N runs every server of a test file with N shards (`make tsan` uses more shards
 * than cores, so that cross-shard paths are exercised); unset means one per core.
 */
function testShards() {
  const value = process.env.VELA_SHARDS;
  if (value === undefined || value === '') return null;
  if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`VELA_SHARDS must be a positive integer, not '${value}'`);
  return Number(value);
}

/**
 * Starts `vela serve` with every listener on 127.0.0.1 and a fresh data dir, and waits for
 * /healthz. `set` adds or overrides config keys. Retries with new ports if one was taken
 * in the meantime.
 */
export async function startVela(h, { set = {}, healthTimeoutMs = 20000, name = 'vela' } = {}) {
  const bin = velaBin();
  const shards = testShards();
  for (let attempt = 1; ; attempt++) {
    const [httpPort, rtmpPort] = await freeTcpPorts(2);
    const srtPort = await freeUdpPort([httpPort, rtmpPort]);
    // WebRTC takes one UDP port per shard, from webrtc.listen up.
    const webrtcPort = await freeUdpPort([httpPort, rtmpPort, srtPort], shards ?? os.cpus().length);
    const dataDir = await h.dir(`${name}-data-${attempt}`);
    const settings = {
      'http.listen': `127.0.0.1:${httpPort}`,
      'rtmp.listen': `127.0.0.1:${rtmpPort}`,
      'srt.listen': `127.0.0.1:${srtPort}`,
      'webrtc.listen': `127.0.0.1:${webrtcPort}`,
      'storage.data_dir': dataDir,
      ...(shards ? { 'runtime.shards': shards } : {}),
      ...set,
    };
    const proc = await h.spawn(name, bin, serveArgs(settings));
    const vela = new Vela(h, proc, { httpPort, rtmpPort, dataDir, settings });
    try {
      await vela.waitHealthy(healthTimeoutMs);
      return vela;
    } catch (err) {
      const portTaken = !proc.running && /address already in use|EADDRINUSE|address in use/i.test(proc.output());
      if (portTaken && attempt < 3) continue;
      throw err;
    }
  }
}

/**
 * Publishes a synthetic test pattern and a 440 Hz tone with ffmpeg: over RTMP (FLV), or
 * with format 'mpegts' to an srt:// URL.
 * Options: size ('640x360'), rate (30), gop (frames, 60), bframes (false: -tune
 * zerolatency, no B-frames; true: -bf 2 without pyramid), maxSeconds (safety bound).
 */
export async function publish(h, url, { size = '640x360', rate = 30, gop = 60, bframes = false, maxSeconds = 120, name = 'ffmpeg', format = 'flv', extraOutputArgs = [] } = {}) {
  const videoOptions = bframes
    ? ['-bf', '2', '-x264-params', 'b-pyramid=0']
    : ['-tune', 'zerolatency'];
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`,
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a',
    '-t', String(maxSeconds),
    '-c:v', 'libx264', '-preset', 'veryfast', ...videoOptions, '-g', String(gop), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-ac', '2',
    ...extraOutputArgs,
    '-f', format, url,
  ];
  const proc = await h.spawn(name, FFMPEG, args);
  return new Publisher(proc);
}

export class Publisher {
  constructor(proc) {
    this.proc = proc;
  }

  get running() {
    return this.proc.running;
  }

  /** Stops ffmpeg the way a person does (SIGINT: it flushes and closes the connection). */
  stop(timeoutMs = 10000) {
    return this.proc.stop('SIGINT', timeoutMs);
  }
}

/** Polls a URL until it answers `status` (200 by default); returns that response. */
export async function waitForStatus(vela, pathOrUrl, { status = 200, timeoutMs = 20000, what } = {}) {
  return waitFor(
    async () => {
      const res = await vela.request(pathOrUrl, { timeoutMs: 5000 });
      if (res.status !== status) throw new Error(`status ${res.status}: ${res.text().slice(0, 200)}`);
      return res;
    },
    { timeoutMs, intervalMs: 200, what: what ?? `${pathOrUrl} to answer ${status}` },
  );
}
