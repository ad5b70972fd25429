#pragma once
// The contract between the CMAF segmenter (frames -> fMP4 bytes) and the live timeline
// (parts and segments -> playlists, blocking reloads, object lookup). Audio and video are
// muxed in one fMP4 rendition: each part is one moof+mdat holding a traf per track.
#include <cstdint>

#include "base/buffer.hpp"

namespace vela::packager {

struct CmafPart {
  uint64_t msn = 0;             // media sequence number of the segment it belongs to
  uint32_t index = 0;           // part index within that segment, from 0
  double duration_s = 0;        // presentation duration in seconds (video track clock)
  bool independent = false;     // begins with a video keyframe
  int64_t wall_clock_us = 0;    // wall-clock time of the part's first sample (PDT)
  // Part 0 of a segment that starts after a source clock jump: known when the segment's
  // first part is listed, so EXT-X-DISCONTINUITY never appears after the fact.
  bool discontinuity = false;
  base::Buffer data;            // one moof + mdat
};

// Emitted when the segment's last part is out; the segment is the concatenation of its parts.
struct CmafSegmentEnd {
  uint64_t msn = 0;
  double duration_s = 0;
  bool discontinuity = false;   // same as its part 0's flag
};

}  // namespace vela::packager
