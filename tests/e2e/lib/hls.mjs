// HLS client steps shared by the tests: fetch and parse playlists, follow URIs relative to
// the playlist that names them, and watch a live media playlist for consistency.
import { waitFor } from './harness.mjs';
import { comparePlaylists, parseMediaPlaylist, parseMultivariant } from './m3u8.mjs';
import { checkFragment, checkInit, decode, probe, writeConcat } from './media.mjs';

export const kPlaylistContentType = /^(application\/vnd\.apple\.mpegurl|application\/x-mpegurl|audio\/mpegurl)\b/i;
export const kMediaContentType = /^(video\/mp4|audio\/mp4|video\/iso\.segment|audio\/iso\.segment|application\/mp4)\b/i;

/** URI relative to the playlist that lists it. */
export function resolve(uri, base) {
  return new URL(uri, base).href;
}

export function withQuery(url, query = {}) {
  const u = new URL(url);
  for (const [key, value] of Object.entries(query)) u.searchParams.set(key, String(value));
  return u.href;
}

/** Cache-Control max-age in seconds, or null. */
export function maxAge(headers) {
  const m = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(headers['cache-control'] ?? '');
  return m ? Number(m[1]) : null;
}

/** Problems with the caching of a playlist: it must be short-lived (or not cached). */
export function checkPlaylistCaching(res, label) {
  const cc = res.headers['cache-control'];
  if (!cc) return [`${label}: no Cache-Control`];
  if (/no-cache|no-store/i.test(cc)) return [];
  const age = maxAge(res.headers);
  if (age === null) return [`${label}: Cache-Control "${cc}" has neither max-age nor no-cache`];
  if (age > 5) return [`${label}: Cache-Control "${cc}" keeps a live playlist too long`];
  if (/immutable/i.test(cc)) return [`${label}: Cache-Control "${cc}" marks a live playlist immutable`];
  return [];
}

/** Problems with the caching of an init, segment or part: immutable, long max-age. */
export function checkMediaCaching(res, label) {
  const cc = res.headers['cache-control'];
  if (!cc) return [`${label}: no Cache-Control`];
  if (/no-cache|no-store/i.test(cc)) return [`${label}: Cache-Control "${cc}" forbids caching immutable media`];
  const age = maxAge(res.headers);
  if (age === null || age < 3600) return [`${label}: Cache-Control "${cc}" has no long max-age (>= 3600)`];
  return [];
}

/** GET the multivariant playlist of a stream: { url, res, mv } (mv null unless 200). */
export async function getMultivariant(vela, name, options = {}) {
  const url = vela.playlistUrl(name);
  const res = await vela.request(url, options);
  return { url, res, mv: res.status === 200 ? parseMultivariant(res.text()) : null };
}

/** Waits until the stream's multivariant playlist answers 200 with a variant. */
export async function waitForStream(vela, name, { timeoutMs = 30000 } = {}) {
  return waitFor(
    async () => {
      const got = await getMultivariant(vela, name, { timeoutMs: 5000 });
      if (got.res.status !== 200) throw new Error(`multivariant status ${got.res.status}`);
      if (!got.mv.variants.length) throw new Error(`no variant yet:\n${got.res.text()}`);
      return got;
    },
    { timeoutMs, intervalMs: 250, what: `stream ${name} to appear at ${vela.playlistUrl(name)}` },
  );
}

/** GET a media playlist (with optional delivery directives): { res, pl } (pl null unless 200). */
export async function getMedia(vela, url, query = {}, options = {}) {
  const res = await vela.request(withQuery(url, query), options);
  return { res, pl: res.status === 200 ? parseMediaPlaylist(res.text()) : null };
}

/**
 * Remembers successive reloads of one live media playlist and the rule violations between
 * each one and the previous (comparePlaylists).
 */
export class PlaylistTracker {
  constructor(label = 'media playlist') {
    this.label = label;
    this.last = null;
    this.count = 0;
    this.errors = [];
  }

  add(pl) {
    if (this.last) {
      for (const e of comparePlaylists(this.last, pl)) {
        if (this.errors.length < 50) this.errors.push(`${this.label} reload ${this.count}: ${e}`);
      }
    }
    this.last = pl;
    this.count++;
    return pl;
  }
}

/**
 * Reloads a media playlist until predicate(pl) holds; every reload goes through `tracker`
 * when given. Returns the playlist that satisfied it.
 */
export async function waitForMedia(vela, url, predicate, { timeoutMs = 30000, what = 'media playlist condition', tracker } = {}) {
  return waitFor(
    async () => {
      const { res, pl } = await getMedia(vela, url, {}, { timeoutMs: 5000 });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      tracker?.add(pl);
      if (!predicate(pl)) throw new Error(`not yet; playlist:\n${res.text().split('\n').slice(-12).join('\n')}`);
      return pl;
    },
    { timeoutMs, intervalMs: 250, what },
  );
}

/** The variant whose RESOLUTION is `resolution` (else the first): { variant, url }. */
export function pickVariant(mv, mvUrl, resolution) {
  const variant = mv.variants.find((v) => v.attrs.RESOLUTION === resolution) ?? mv.variants[0];
  return { variant, url: resolve(variant.uri, mvUrl) };
}

/** URLs of the audio renditions a variant refers to (EXT-X-MEDIA TYPE=AUDIO with a URI). */
export function audioRenditionUrls(mv, mvUrl, variant) {
  const group = variant.attrs.AUDIO;
  if (!group) return [];
  return mv.media
    .filter((m) => m.TYPE === 'AUDIO' && m['GROUP-ID'] === group && m.URI)
    .map((m) => resolve(m.URI, mvUrl));
}

/**
 * Fetches the init segment(s), every complete segment and every listed part of a media
 * playlist, checks each response (status, Content-Type, Cache-Control, box structure), and
 * runs ffprobe and a full ffmpeg decode on init+segment. For a complete segment whose parts
 * are listed, init+parts must carry exactly the packets of init+segment.
 * Returns { errors, segments: [{ seg, probe }], parts: Map('msn.index' -> Buffer) }.
 */
export async function fetchAndProbeRendition(vela, playlistUrl, pl, dir, label) {
  const errors = [];
  const inits = new Map();
  const check = (res, what, { caching }) => {
    if (res.status !== 200) {
      errors.push(`${what}: status ${res.status}`);
      return false;
    }
    if (!kMediaContentType.test(res.headers['content-type'] ?? '')) errors.push(`${what}: Content-Type ${res.headers['content-type']}`);
    errors.push(...caching(res, what));
    if (!res.body.length) errors.push(`${what}: empty body`);
    return true;
  };
  for (const uri of new Set(pl.segments.map((s) => s.map).filter(Boolean))) {
    const res = await vela.request(resolve(uri, playlistUrl));
    if (check(res, `${label} init ${uri}`, { caching: checkMediaCaching })) {
      errors.push(...checkInit(res.body, `${label} init ${uri}`));
      inits.set(uri, res.body);
    }
  }
  const parts = new Map();
  for (const part of pl.segments.flatMap((s) => s.parts)) {
    const what = `${label} part ${part.msn}.${part.index} (${part.uri})`;
    const res = await vela.request(resolve(part.uri, playlistUrl));
    if (check(res, what, { caching: checkMediaCaching })) {
      errors.push(...checkFragment(res.body, what));
      parts.set(`${part.msn}.${part.index}`, res.body);
    }
  }
  const segments = [];
  for (const seg of pl.segments.filter((s) => s.complete)) {
    const what = `${label} segment ${seg.msn} (${seg.uri})`;
    const res = await vela.request(resolve(seg.uri, playlistUrl));
    if (!check(res, what, { caching: checkMediaCaching })) continue;
    errors.push(...checkFragment(res.body, what));
    const init = inits.get(seg.map);
    if (!init) continue;
    const file = await writeConcat(dir, `${label}-${seg.msn}.mp4`, [init, res.body]);
    const probed = await probe(file);
    if (probed.code !== 0 || probed.stderr) errors.push(`${what}: ffprobe exit ${probed.code}: ${probed.stderr}`);
    const decoded = await decode(file);
    if (decoded.code !== 0 || decoded.stderr) errors.push(`${what}: ffmpeg decode exit ${decoded.code}: ${decoded.stderr}`);
    segments.push({ seg, probe: probed });

    const partBuffers = seg.parts.map((p) => parts.get(`${p.msn}.${p.index}`));
    if (seg.parts.length && partBuffers.every(Boolean)) {
      const partsFile = await writeConcat(dir, `${label}-${seg.msn}-parts.mp4`, [init, ...partBuffers]);
      const fromParts = await probe(partsFile);
      const key = (p) => `${p.type}@${p.pts.toFixed(4)}/${p.dts.toFixed(4)}${p.key ? 'K' : ''}`;
      const a = probed.packets.map(key).join(' ');
      const b = fromParts.packets.map(key).join(' ');
      if (fromParts.stderr) errors.push(`${what}: ffprobe of its parts: ${fromParts.stderr}`);
      if (a !== b) {
        errors.push(`${what}: its parts carry other packets than the segment (${fromParts.packets.length} vs ${probed.packets.length} packets)`);
      }
    }
  }
  return { errors, segments, parts };
}
