#pragma once
// The LL-HLS media playlist of one rendition, rendered from its LiveTimeline (RFC 8216bis,
// protocol version 6, or 9 when delta updates are on). Rendered once per timeline change
// and shared by every viewer; pure, any thread that may read the timeline.
//
// What it says:
//  - EXT-X-SERVER-CONTROL: CAN-BLOCK-RELOAD=YES, PART-HOLD-BACK = 3 part targets, and
//    CAN-SKIP-UNTIL = 6 target durations when delta updates are on. HOLD-BACK is left to
//    its implied 3 target durations.
//  - per segment: EXT-X-DISCONTINUITY, EXT-X-MAP (first segment and on an init change),
//    EXT-X-PROGRAM-DATE-TIME (when the wall clock is known), then its EXT-X-PART tags if
//    the segment ends within 3 target durations of the playlist end (6.2.2), then EXTINF
//    and the segment URI once complete. The segment in progress lists only its parts.
//  - EXT-X-PRELOAD-HINT for the next part while live; EXT-X-ENDLIST once ended.
//  - a delta update (_HLS_skip, 6.2.5.1) replaces the complete segments that end more than
//    CAN-SKIP-UNTIL before the end of the last complete segment with EXT-X-SKIP. _HLS_skip=v2
//    is answered the same way: no EXT-X-DATERANGE is ever written, and
//    CAN-SKIP-DATERANGES is not advertised.
// Clients without LL-HLS ignore the LL tags and play the complete segments.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packager/live_timeline.hpp"

namespace vela::packager {

constexpr double kPartHoldBackParts = 3;    // PART-HOLD-BACK, in part targets
constexpr double kSkipBoundaryTargets = 6;  // CAN-SKIP-UNTIL, in target durations
constexpr double kPartListingTargets = 3;   // EXT-X-PART kept this close to the end

// Another rendition's live edge, for EXT-X-RENDITION-REPORT.
struct RenditionReport {
  std::string uri;                    // its media playlist, relative to this one
  uint64_t last_msn = 0;              // LAST-MSN: msn of its last part
  std::optional<uint32_t> last_part;  // LAST-PART
};

struct MediaPlaylistOptions {
  // The client asked for a delta update (_HLS_skip=YES or v2). Ignored when the timeline
  // does not offer delta updates or has ended (6.2.5.1).
  bool delta_update = false;
  // One per other rendition of the stream (not this one).
  std::vector<RenditionReport> rendition_reports;
};

std::string render_media_playlist(const LiveTimeline& timeline,
                                  const MediaPlaylistOptions& options = {});

// This rendition's report for the other renditions' playlists; none before any media.
std::optional<RenditionReport> make_rendition_report(const LiveTimeline& timeline);

}  // namespace vela::packager
