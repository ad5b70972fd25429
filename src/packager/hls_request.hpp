#pragma once
// LL-HLS request rules (RFC 8216bis 6.2.5, 6.2.6): the delivery directives of a playlist
// request, and whether a request can be answered now, must wait for the timeline to
// advance, or fails. Pure: the caller owns parking, timers and sockets.
//
// A caller (the HTTP layer, on the timeline's shard):
//   1. ref = parse_object_path(rest of path)               -> 404 on error
//   2. playlist: directives = parse_delivery_directives(query) -> 400 on error;
//      outcome = resolve_playlist(timeline, directives)
//      media: outcome = resolve_media(timeline, ref)
//   3. ready: playlists render_media_playlist(timeline, {wants_delta_update(...), reports}),
//      media send timeline.object_data(ref); wait: park, and resolve again after every
//      timeline change (add_part, end_segment, end_stream) until ready or an error, or
//      until max_block_s(timeline) passes: then 503 for a playlist, 404 for media.
// A stream that ends while requests wait resolves them: playlists become ready (the
// final playlist, with EXT-X-ENDLIST), media that never appeared not_found.
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.hpp"
#include "packager/hls_names.hpp"
#include "packager/live_timeline.hpp"

namespace vela::packager {

enum class SkipDirective { none, yes, v2 };

struct DeliveryDirectives {
  std::optional<uint64_t> msn;               // _HLS_msn
  std::optional<uint32_t> part;              // _HLS_part
  SkipDirective skip = SkipDirective::none;  // _HLS_skip
};

// The query string (without '?'). _HLS_msn and _HLS_part are decimal integers (at most
// kMaxSequenceNumber / kMaxPartIndex), _HLS_skip is YES or v2; each at most once, with a
// value. _HLS_part without _HLS_msn is an error (6.2.5.2). Other parameters (tokens,
// cache busters, future _HLS_ directives) are ignored. Errors mean 400 Bad Request.
base::Result<DeliveryDirectives> parse_delivery_directives(std::string_view query);

enum class Resolution {
  ready,        // 200: answer now
  wait,         // park until the timeline changes (see above)
  bad_request,  // 400: asks too far ahead of the live edge
  not_found,    // 404: does not exist and is not about to
  gone,         // 410: existed, evicted from the window
};

// Playlist request. Live: without _HLS_msn ready (wait before the first part); with
// _HLS_msn=M ready once segment M is complete; with _HLS_part=N too, once part N of M or
// any later part exists (an N past the end of a complete segment M means part 0 of M+1).
// bad_request when M > last complete msn + 2, or N lies more than the Advance Part Limit
// (3 s worth of part targets, at least 3 parts) past the last part. Ended: directives are
// ignored and the playlist is ready.
Resolution resolve_playlist(const LiveTimeline& timeline, const DeliveryDirectives& directives);

// Init, segment or part request (playlists resolve as not_found here). Ready when held;
// wait for the segment in progress (or the next when between segments) and for the
// hinted part, the part after it, or part 0 of the next segment; gone when older than
// the window; not_found otherwise, including a hinted part the segmenter did not produce
// because the segment ended first (6.2.6).
Resolution resolve_media(const LiveTimeline& timeline, const ObjectRef& ref);

// Whether to answer with a delta update (6.2.5.1).
bool wants_delta_update(const LiveTimeline& timeline, const DeliveryDirectives& directives);

// How long a request may stay parked: 3 target durations (6.2.5.2).
double max_block_s(const LiveTimeline& timeline);

struct ResponseHeaders {
  std::string_view content_type;
  std::string_view cache_control;
};

// Successful responses:
//  - media objects never change under a name: cached for a year, immutable;
//  - a playlist answering _HLS_msn is identified by its query (every copy contains what
//    was asked for), so a CDN may serve it to every viewer asking the same: 6 s;
//  - other playlists change every part: 1 s, so pollers and CDNs stay at the edge.
// All as application/vnd.apple.mpegurl or video/mp4 (init, segments and parts alike).
ResponseHeaders response_headers(ObjectKind kind, bool blocking_playlist);

// Errors, including 404 for a part that may exist a moment later: never cached.
constexpr std::string_view kErrorCacheControl = "no-store";

}  // namespace vela::packager
