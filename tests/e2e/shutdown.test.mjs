// Shutdown while everything is busy (issue 19): `vela serve` gets SIGTERM at the same moment
// as its publishers over RTMP, SRT and WHIP, while LL-HLS requests are parked, a WHEP viewer
// and an SRT viewer watch, and a restream pushes. It must end every session on its own
// shard while every observer is alive: exit status 0, `stopped` as the last log line, and
// nothing logged after it. Repeated with varied timing, since the crash this guards against
// (a session's publish end running against observers already destroyed) was a race.
//
// VELA_BIN may name the ASan build (`make asan` runs this file against it): a
// use-after-free on this path is then reported and fails the run.
import assert from 'node:assert/strict';
import { e2eTest, sleep, waitFor } from './lib/harness.mjs';
import { FFMPEG, httpRequest, publish, startVela } from './lib/vela.mjs';
import { parseMediaPlaylist } from './lib/m3u8.mjs';
import { startAiortc } from './lib/webrtc.mjs';

const kRounds = Number(process.env.SHUTDOWN_ROUNDS || 20);
const kSize = process.env.SHUTDOWN_SIZE || '640x360';

/** ffmpeg pulling a live stream over SRT (m=request) and throwing it away. */
async function watchSrt(h, vela, name) {
  const url = `srt://${vela.settings['srt.listen']}?streamid=#!::r=live/${name},m=request`;
  return h.spawn('ffmpeg-srt-viewer', FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-t', '60', '-c', 'copy', '-f', 'null', '-']);
}

/**
 * Blocking LL-HLS reloads for parts after the live edge: they stay parked on the server
 * until those parts exist. Resolves to the pending requests (each settles, never rejects).
 */
async function parkPlaylistRequests(vela, name, count) {
  const url = vela.url(`/live/${name}/video.m3u8`);
  const pl = await waitFor(async () => {
    const res = await vela.request(url, { timeoutMs: 5000 });
    return res.status === 200 && parseMediaPlaylist(res.text()).segments.length > 0 && parseMediaPlaylist(res.text());
  }, { timeoutMs: 20000, intervalMs: 100, what: `a media playlist of ${name}` });
  const last = pl.segments.at(-1);
  const requests = [];
  for (let i = 0; i < count; i++) {
    const [msn, part] = i % 2 ? [last.msn + 1, 0] : [last.msn, last.parts.length + i];
    requests.push(httpRequest(`${url}?_HLS_msn=${msn}&_HLS_part=${part}`, { timeoutMs: 30000 }).catch((err) => ({ error: err.message })));
  }
  return requests;
}

function lineMatcher(proc) {
  return (re) => proc.lines.some((line) => re.test(line));
}

e2eTest(`shutdown during publishes, playback and restreaming: exit 0 and "stopped" last, ${kRounds} rounds`, { timeout: 60000 + kRounds * 25000 }, async (t, h) => {
  const exits = [];
  for (let round = 0; round < kRounds; round++) {
    const vela = await startVela(h, { name: `vela-${round}`, healthTimeoutMs: 30000 });
    const seen = lineMatcher(vela.proc);

    // A restream of `a` back into this server as `copy`, added before `a` goes live.
    const added = await vela.request('/api/v1/streams/a/restreams', {
      method: 'POST',
      body: JSON.stringify({ url: `rtmp://127.0.0.1:${vela.rtmpPort}/live/copy` }),
    });
    assert.equal(added.status, 201, added.text());

    // x264 with B-frames and lookahead, as OBS sends: on SIGTERM ffmpeg flushes the encoder
    // and keeps sending for a while, so the server meets a busy session when it stops.
    const rtmp = await publish(h, vela.rtmpUrl('a'), { size: kSize, gop: 60, bframes: true, maxSeconds: 60, name: 'ffmpeg-rtmp' });
    const rtmp2 = await publish(h, vela.rtmpUrl('d'), { size: kSize, gop: 60, bframes: true, maxSeconds: 60, name: 'ffmpeg-rtmp2' });
    const srt = await publish(h, `srt://${vela.settings['srt.listen']}?streamid=#!::r=live/b,m=publish`, { size: kSize, gop: 30, maxSeconds: 60, format: 'mpegts', name: 'ffmpeg-srt' });
    const whip = await startAiortc(h, 'publish', vela.url('/whip/c'), { key: 'c', seconds: 60 });
    await waitFor(() => seen(/rtmp session=\S+ stream=a publishing/), { timeoutMs: 20000, intervalMs: 50, what: 'the RTMP publish of a' });
    // Even rounds add viewers of every kind; odd rounds have only publishers and the restream,
    // so that nothing else delays the stop (no parked HTTP request, no SRT viewer's linger).
    const withViewers = round % 2 === 0;
    const clients = [rtmp.proc, rtmp2.proc, srt.proc, whip];
    if (withViewers) {
      clients.push(await startAiortc(h, 'play', vela.url('/whep/a'), { seconds: 60 }));
      clients.push(await watchSrt(h, vela, 'a'));
    }

    await waitFor(
      () =>
        seen(/rtmp session=\S+ stream=d publishing/) &&
        seen(/srt session=\S+ caller .* stream=b shard=/) &&
        seen(/whip stream=c session=\S+ answered/) &&
        seen(/restream stream=a dest=\S+ live/) &&
        (!withViewers || (seen(/srt session=\S+ caller .* plays stream=a/) && seen(/whep stream=a session=\S+ starts on rendition/))),
      { timeoutMs: 30000, intervalMs: 50, what: 'every publisher, viewer and the restream to be connected' },
    );
    const parked = withViewers ? await parkPlaylistRequests(vela, 'a', 4) : [];
    await sleep((round * 397) % 1000);

    // SIGTERM to the server and to every client, each by its own PID, around the same moment:
    // from the clients 300 ms before the server to 900 ms after it, so that the server meets
    // sessions in every state (ending by themselves, mid-handshake of their end, still live).
    const offset = ((round * 613) % 1200) - 300;
    const stopClients = () => Promise.all(clients.map((proc) => proc.stop('SIGTERM', 10000)));
    const stopServer = () => vela.stop(15000);
    const [first, second] = offset < 0 ? [stopClients, stopServer] : [stopServer, stopClients];
    const firstDone = first();
    await sleep(Math.abs(offset));
    const secondDone = second();
    const [result] = offset < 0 ? [await secondDone, await firstDone] : [await firstDone, await secondDone];
    await Promise.all(parked);

    const lines = vela.proc.lines.filter((line) => / (out|err) /.test(line));
    const last = lines.at(-1) ?? '';
    exits.push({ round, code: result.code, signal: result.signal, ms: result.ms });
    assert.equal(result.timedOut, false, `round ${round}: vela did not exit within 15 s of SIGTERM`);
    assert.equal(result.signal, null, `round ${round}: vela died of ${result.signal}\n${vela.proc.tail()}`);
    assert.equal(result.code, 0, `round ${round}: exit status\n${vela.proc.tail()}`);
    assert.match(last, / info stopped$/, `round ${round}: the last log line is "stopped"\n${vela.proc.tail()}`);
    assert.ok(!lines.some((line) => /ERROR: AddressSanitizer|runtime error:/.test(line)), `round ${round}: sanitizer report\n${vela.proc.tail(200)}`);
  }
  t.diagnostic(`exits: ${exits.map((e) => `${e.code}/${e.ms}ms`).join(' ')}`);
});
