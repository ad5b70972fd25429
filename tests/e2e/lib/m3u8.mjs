// A small HLS playlist parser (RFC 8216 and 8216bis LL-HLS tags) and checks of the rules a
// live LL-HLS origin must keep. Written for these tests: it records what it saw and reports
// problems as strings rather than guessing.

/** Parses an attribute list: KEY=VALUE,KEY="quoted, with commas",... */
export function parseAttributes(text) {
  const attrs = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') break;
    const value = m[2];
    attrs[m[1]] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return attrs;
}

function splitTag(line) {
  const colon = line.indexOf(':');
  return colon < 0 ? [line.slice(1), ''] : [line.slice(1, colon), line.slice(colon + 1)];
}

/** Multivariant playlist: { variants: [{ attrs, uri }], media: [attrs], errors }. */
export function parseMultivariant(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const out = { version: null, variants: [], media: [], independentSegments: false, errors: [] };
  if (lines[0] !== '#EXTM3U') out.errors.push('first line is not #EXTM3U');
  let pending = null;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT')) {
      const [name, value] = splitTag(line);
      if (name === 'EXT-X-VERSION') out.version = Number(value);
      else if (name === 'EXT-X-STREAM-INF') pending = parseAttributes(value);
      else if (name === 'EXT-X-MEDIA') out.media.push(parseAttributes(value));
      else if (name === 'EXT-X-INDEPENDENT-SEGMENTS') out.independentSegments = true;
      else if (['EXTINF', 'EXT-X-TARGETDURATION', 'EXT-X-PART', 'EXT-X-MEDIA-SEQUENCE'].includes(name)) {
        out.errors.push(`media playlist tag ${name} in a multivariant playlist`);
      }
    } else if (line.startsWith('#')) {
      // comment
    } else if (pending) {
      out.variants.push({ attrs: pending, uri: line });
      pending = null;
    } else {
      out.errors.push(`URI line without EXT-X-STREAM-INF: ${line}`);
    }
  }
  if (pending) out.errors.push('EXT-X-STREAM-INF without a URI line');
  return out;
}

/**
 * Media playlist. Segments: { msn, uri, duration, title, parts: [{ msn, index, duration,
 * uri, independent }], map, programDateTime (ms since epoch), discontinuity, complete }.
 * The segment in progress (parts, no EXTINF/URI yet) is the last one, complete=false.
 */
export function parseMediaPlaylist(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const pl = {
    text,
    errors: [],
    version: null,
    targetDuration: null,
    mediaSequence: null,
    discontinuitySequence: 0,
    serverControl: null,
    partInf: null,
    skip: null,
    endList: false,
    independentSegments: false,
    playlistType: null,
    preloadHints: [],
    renditionReports: [],
    segments: [],
    otherTags: [],
  };
  if (lines[0] !== '#EXTM3U') pl.errors.push('first line is not #EXTM3U');
  const fresh = () => ({ uri: null, duration: null, title: '', parts: [], map: null, programDateTime: null, discontinuity: false, complete: false });
  let cur = fresh();
  let map = null;
  const count = {};
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT')) {
      const [name, value] = splitTag(line);
      count[name] = (count[name] ?? 0) + 1;
      switch (name) {
        case 'EXT-X-VERSION':
          pl.version = Number(value);
          break;
        case 'EXT-X-TARGETDURATION':
          if (!/^\d+$/.test(value)) pl.errors.push(`EXT-X-TARGETDURATION is not a decimal integer: ${value}`);
          pl.targetDuration = Number(value);
          break;
        case 'EXT-X-MEDIA-SEQUENCE':
          if (!/^\d+$/.test(value)) pl.errors.push(`EXT-X-MEDIA-SEQUENCE is not a decimal integer: ${value}`);
          pl.mediaSequence = Number(value);
          break;
        case 'EXT-X-DISCONTINUITY-SEQUENCE':
          pl.discontinuitySequence = Number(value);
          break;
        case 'EXT-X-SERVER-CONTROL':
          pl.serverControl = parseAttributes(value);
          break;
        case 'EXT-X-PART-INF':
          pl.partInf = parseAttributes(value);
          break;
        case 'EXT-X-SKIP':
          pl.skip = parseAttributes(value);
          if (cur.parts.length || cur.map || cur.programDateTime) pl.errors.push('EXT-X-SKIP after segment tags');
          break;
        case 'EXT-X-MAP': {
          const attrs = parseAttributes(value);
          if (!attrs.URI) pl.errors.push(`EXT-X-MAP without URI: ${line}`);
          map = attrs.URI;
          cur.map = attrs.URI;
          break;
        }
        case 'EXT-X-PROGRAM-DATE-TIME': {
          const ms = Date.parse(value);
          if (Number.isNaN(ms)) pl.errors.push(`unparsable EXT-X-PROGRAM-DATE-TIME: ${value}`);
          cur.programDateTime = ms;
          break;
        }
        case 'EXT-X-DISCONTINUITY':
          cur.discontinuity = true;
          break;
        case 'EXT-X-PART': {
          const attrs = parseAttributes(value);
          if (!attrs.URI || attrs.DURATION === undefined) pl.errors.push(`EXT-X-PART without URI or DURATION: ${line}`);
          cur.parts.push({
            duration: Number(attrs.DURATION),
            uri: attrs.URI,
            independent: attrs.INDEPENDENT === 'YES',
            gap: attrs.GAP === 'YES',
          });
          break;
        }
        case 'EXTINF': {
          const comma = value.indexOf(',');
          const number = comma < 0 ? value : value.slice(0, comma);
          if (!/^\d+(\.\d+)?$/.test(number)) pl.errors.push(`EXTINF duration is not a decimal: ${line}`);
          cur.duration = Number(number);
          cur.title = comma < 0 ? '' : value.slice(comma + 1);
          break;
        }
        case 'EXT-X-PRELOAD-HINT':
          pl.preloadHints.push(parseAttributes(value));
          break;
        case 'EXT-X-RENDITION-REPORT':
          pl.renditionReports.push(parseAttributes(value));
          break;
        case 'EXT-X-ENDLIST':
          pl.endList = true;
          break;
        case 'EXT-X-INDEPENDENT-SEGMENTS':
          pl.independentSegments = true;
          break;
        case 'EXT-X-PLAYLIST-TYPE':
          pl.playlistType = value;
          break;
        case 'EXT-X-STREAM-INF':
        case 'EXT-X-MEDIA':
          pl.errors.push(`multivariant tag ${name} in a media playlist`);
          break;
        default:
          pl.otherTags.push(line);
      }
    } else if (line.startsWith('#')) {
      // comment
    } else {
      if (cur.duration === null) pl.errors.push(`segment URI without EXTINF: ${line}`);
      cur.uri = line;
      cur.complete = true;
      cur.map = cur.map ?? map;
      pl.segments.push(cur);
      cur = fresh();
    }
  }
  if (cur.parts.length) {
    cur.map = cur.map ?? map;
    pl.segments.push(cur); // the segment in progress
  } else if (cur.duration !== null) {
    pl.errors.push('EXTINF without a segment URI at the end');
  }
  for (const tag of ['EXT-X-VERSION', 'EXT-X-TARGETDURATION', 'EXT-X-MEDIA-SEQUENCE', 'EXT-X-SERVER-CONTROL', 'EXT-X-PART-INF', 'EXT-X-SKIP', 'EXT-X-ENDLIST']) {
    if ((count[tag] ?? 0) > 1) pl.errors.push(`${tag} appears ${count[tag]} times`);
  }
  const skipped = pl.skip ? Number(pl.skip['SKIPPED-SEGMENTS']) : 0;
  const first = (pl.mediaSequence ?? 0) + skipped;
  pl.segments.forEach((seg, i) => {
    seg.msn = first + i;
    seg.parts.forEach((part, index) => {
      part.msn = seg.msn;
      part.index = index;
    });
  });
  return pl;
}

export const allParts = (pl) => pl.segments.flatMap((s) => s.parts);
export const completeSegments = (pl) => pl.segments.filter((s) => s.complete);
export const lastPart = (pl) => allParts(pl).at(-1) ?? null;
export const lastCompleteSegment = (pl) => completeSegments(pl).at(-1) ?? null;
export const preloadPartHint = (pl) => pl.preloadHints.find((h) => h.TYPE === 'PART') ?? null;

/** Compares part positions (msn, index): negative, 0, positive. */
export function comparePosition(a, b) {
  return a.msn !== b.msn ? a.msn - b.msn : a.index - b.index;
}

const kPartEpsilon = 0.0015; // printed precision of DURATION and PART-TARGET
const kExtinfVsPartsTolerance = 0.05;

/**
 * Rules of RFC 8216bis that a live LL-HLS media playlist must keep. `live`: true for a
 * stream with a publisher (preload hint, no ENDLIST), false for an ended one, undefined to
 * not care. Returns a list of problems (empty when valid).
 */
export function validateMediaPlaylist(pl, { live } = {}) {
  const errors = [...pl.errors];
  const td = pl.targetDuration;
  if (!(pl.version >= 6)) errors.push(`EXT-X-VERSION ${pl.version} < 6 (EXT-X-MAP in a media playlist needs 6)`);
  if (pl.skip && !(pl.version >= 9)) errors.push(`EXT-X-SKIP needs EXT-X-VERSION 9, have ${pl.version}`);
  if (!(Number.isInteger(td) && td > 0)) errors.push(`bad or missing EXT-X-TARGETDURATION: ${td}`);
  if (pl.mediaSequence === null) errors.push('no EXT-X-MEDIA-SEQUENCE');

  const partTarget = pl.partInf ? Number(pl.partInf['PART-TARGET']) : NaN;
  if (!pl.partInf) errors.push('no EXT-X-PART-INF');
  else if (!(partTarget > 0)) errors.push(`bad PART-TARGET: ${pl.partInf['PART-TARGET']}`);

  const sc = pl.serverControl;
  if (!sc) {
    errors.push('no EXT-X-SERVER-CONTROL');
  } else {
    if (sc['CAN-BLOCK-RELOAD'] !== 'YES') errors.push(`CAN-BLOCK-RELOAD is ${sc['CAN-BLOCK-RELOAD']}, want YES`);
    const phb = Number(sc['PART-HOLD-BACK']);
    if (!(phb >= 2 * partTarget - 1e-9)) errors.push(`PART-HOLD-BACK ${sc['PART-HOLD-BACK']} is not at least twice PART-TARGET ${partTarget}`);
    if (sc['CAN-SKIP-UNTIL'] !== undefined && !(Number(sc['CAN-SKIP-UNTIL']) >= 6 * td - 1e-9)) {
      errors.push(`CAN-SKIP-UNTIL ${sc['CAN-SKIP-UNTIL']} is less than six target durations (${6 * td})`);
    }
    if (sc['HOLD-BACK'] !== undefined && !(Number(sc['HOLD-BACK']) >= 3 * td - 1e-9)) {
      errors.push(`HOLD-BACK ${sc['HOLD-BACK']} is less than three target durations`);
    }
  }
  if (pl.skip && !sc?.['CAN-SKIP-UNTIL']) errors.push('EXT-X-SKIP without CAN-SKIP-UNTIL');

  if (pl.segments.length === 0) errors.push('no segments');
  const first = pl.segments[0];
  if (first && !first.map) errors.push('no EXT-X-MAP before the first segment');
  if (!pl.segments.some((s) => s.programDateTime !== null)) errors.push('no EXT-X-PROGRAM-DATE-TIME');

  const uris = new Set();
  const seen = (uri, what) => {
    if (uris.has(uri)) errors.push(`${what} URI ${uri} listed twice`);
    uris.add(uri);
  };
  pl.segments.forEach((seg, i) => {
    const label = `segment ${seg.msn}`;
    if (!seg.complete && i !== pl.segments.length - 1) errors.push(`${label} is incomplete but not last`);
    if (seg.complete) {
      seen(seg.uri, label);
      if (!(seg.duration > 0)) errors.push(`${label} EXTINF ${seg.duration} is not positive`);
      if (Math.round(seg.duration) > td) errors.push(`${label} EXTINF ${seg.duration} rounds above TARGETDURATION ${td}`);
    }
    if (seg.parts.length) {
      if (!seg.parts[0].independent) errors.push(`${label} does not start with an INDEPENDENT=YES part`);
      let sum = 0;
      for (const part of seg.parts) {
        seen(part.uri, `part ${part.msn}.${part.index}`);
        sum += part.duration;
        if (!(part.duration > 0)) errors.push(`part ${part.msn}.${part.index} DURATION ${part.duration} is not positive`);
        if (part.duration > partTarget + kPartEpsilon) {
          errors.push(`part ${part.msn}.${part.index} DURATION ${part.duration} exceeds PART-TARGET ${partTarget}`);
        }
      }
      if (seg.complete && Math.abs(sum - seg.duration) > kExtinfVsPartsTolerance) {
        errors.push(`${label} EXTINF ${seg.duration} differs from the sum of its parts ${sum.toFixed(4)}`);
      }
    }
  });
  // Parts must be listed for the last segments (RFC 8216bis 6.2.2: at least those within
  // three target durations of the end): the segment in progress at the very least.
  if (live && !allParts(pl).length) errors.push('live playlist lists no EXT-X-PART');

  const hints = pl.preloadHints.filter((h) => h.TYPE === 'PART');
  for (const hint of pl.preloadHints) {
    if (!['PART', 'MAP'].includes(hint.TYPE)) errors.push(`EXT-X-PRELOAD-HINT with TYPE=${hint.TYPE}`);
    if (!hint.URI) errors.push('EXT-X-PRELOAD-HINT without URI');
    else if (uris.has(hint.URI)) errors.push(`EXT-X-PRELOAD-HINT names the already listed ${hint.URI}`);
  }
  if (hints.length > 1) errors.push('more than one PART preload hint');
  if (live === true) {
    if (pl.endList) errors.push('EXT-X-ENDLIST while live');
    if (!hints.length) errors.push('no EXT-X-PRELOAD-HINT:TYPE=PART while live');
  } else if (live === false) {
    if (!pl.endList) errors.push('no EXT-X-ENDLIST after the publisher stopped');
    if (pl.preloadHints.length) errors.push('EXT-X-PRELOAD-HINT remains after EXT-X-ENDLIST');
    if (pl.segments.some((s) => !s.complete)) errors.push('a segment in progress remains after EXT-X-ENDLIST');
  }
  return errors;
}

/**
 * Rules between two successive reloads of the same live media playlist (older `a`, newer
 * `b`): numbers never go back, a segment never changes, TARGETDURATION and PART-TARGET
 * do not change. Returns a list of problems.
 */
export function comparePlaylists(a, b) {
  const errors = [];
  if (b.mediaSequence < a.mediaSequence) errors.push(`EXT-X-MEDIA-SEQUENCE went back from ${a.mediaSequence} to ${b.mediaSequence}`);
  if (b.discontinuitySequence < a.discontinuitySequence) errors.push('EXT-X-DISCONTINUITY-SEQUENCE went back');
  if (a.targetDuration !== b.targetDuration) errors.push(`EXT-X-TARGETDURATION changed from ${a.targetDuration} to ${b.targetDuration}`);
  const pa = a.partInf?.['PART-TARGET'];
  const pb = b.partInf?.['PART-TARGET'];
  if (pa !== pb) errors.push(`PART-TARGET changed from ${pa} to ${pb}`);
  const byMsn = new Map(b.segments.map((s) => [s.msn, s]));
  for (const sa of a.segments) {
    const sb = byMsn.get(sa.msn);
    if (!sb) {
      if (sa.msn >= b.mediaSequence + (b.skip ? Number(b.skip['SKIPPED-SEGMENTS']) : 0)) {
        errors.push(`segment ${sa.msn} disappeared from the live end`);
      }
      continue;
    }
    if (sa.complete && !sb.complete) errors.push(`segment ${sa.msn} became incomplete again`);
    if (sa.complete && sb.complete) {
      if (sa.uri !== sb.uri) errors.push(`segment ${sa.msn} URI changed: ${sa.uri} -> ${sb.uri}`);
      if (sa.duration !== sb.duration) errors.push(`segment ${sa.msn} EXTINF changed: ${sa.duration} -> ${sb.duration}`);
    }
    if (sa.map && sb.map && sa.map !== sb.map) errors.push(`segment ${sa.msn} EXT-X-MAP changed: ${sa.map} -> ${sb.map}`);
    if (sa.programDateTime !== null && sb.programDateTime !== null && sa.programDateTime !== sb.programDateTime) {
      errors.push(`segment ${sa.msn} PROGRAM-DATE-TIME changed`);
    }
    if (sa.parts.length && sb.parts.length) {
      if (sb.parts.length < sa.parts.length) errors.push(`segment ${sa.msn} lost parts: ${sa.parts.length} -> ${sb.parts.length}`);
      for (let i = 0; i < Math.min(sa.parts.length, sb.parts.length); i++) {
        const x = sa.parts[i];
        const y = sb.parts[i];
        if (x.uri !== y.uri || x.duration !== y.duration || x.independent !== y.independent) {
          errors.push(`part ${sa.msn}.${i} changed: ${x.uri} ${x.duration} -> ${y.uri} ${y.duration}`);
        }
      }
    }
  }
  const la = lastPart(a);
  const lb = lastPart(b);
  if (la && lb && comparePosition(lb, la) < 0) errors.push(`last part went back from ${la.msn}.${la.index} to ${lb.msn}.${lb.index}`);
  if (la && !lb && !b.endList) errors.push('parts disappeared');
  return errors;
}

/** Segments that a delta update may skip: complete ones ending more than CAN-SKIP-UNTIL before the end of the last complete segment. */
export function skippableCount(pl) {
  const until = Number(pl.serverControl?.['CAN-SKIP-UNTIL']);
  if (!(until > 0)) return 0;
  const complete = completeSegments(pl);
  let after = 0;
  let count = 0;
  for (let i = complete.length - 1; i >= 0; i--) {
    if (after > until + 1e-6) count++;
    after += complete[i].duration;
  }
  // count counted from the end; the skippable ones are the oldest `count` segments
  return count;
}
