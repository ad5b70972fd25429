#pragma once
// Maps one RTP source's 32-bit timestamps to a track's 64-bit dts on the receiver's
// timeline, whose zero is the arrival of the receiver's first media packet.
//
// Anchor: the track's timeline starts at the arrival of its own first packet (relative to
// the receiver's zero), so audio and video line up to within their arrival jitter; RTP
// timestamps then advance it (unwrapped, rescaled exactly). A frame older than the first
// packet (reordered) that comes out before any other frame moves the anchor's timestamp
// back to it, so no dts is ever below the anchor.
//
// Jumps: a frame whose dts strays more than max_jump_us from its arrival time (sender
// restarted its clock, paused with the clock frozen, or a hostile value) re-anchors the
// track at its arrival and is marked as a discontinuity. dts strictly increases: a frame at
// or before the last one (late, duplicate) is refused. Pure: arrival times are passed in.
#include <cstdint>
#include <optional>

#include "base/time.hpp"

namespace vela::ingest {

struct TimelinePoint {
  int64_t dts = 0;  // track timescale
  bool discontinuity = false;
};

class RtpTimeline {
 public:
  RtpTimeline(uint32_t clock_rate, int64_t timescale, int64_t max_jump_us);

  // Every packet of the source; the first one anchors the track. arrival_us is relative to
  // the receiver's zero (never negative).
  void on_packet(uint32_t rtp_timestamp, int64_t arrival_us);
  // The dts of a frame handed out now, or nullopt when it would not move forward.
  std::optional<TimelinePoint> map(uint32_t rtp_timestamp, int64_t now_us);

  bool anchored() const { return anchored_; }

 private:
  int64_t to_timescale(int64_t rtp_ticks) const;
  int64_t expected_at(int64_t now_us) const;

  uint32_t clock_rate_;
  int64_t timescale_;
  int64_t max_jump_us_;
  bool anchored_ = false;
  bool mapped_ = false;  // a frame has been mapped: the anchor's timestamp is fixed
  uint32_t anchor_rtp_ = 0;
  int64_t anchor_unwrapped_ = 0;
  int64_t anchor_dts_ = 0;
  base::ClockUnwrapper unwrapper_{32};
  std::optional<int64_t> last_dts_;
};

}  // namespace vela::ingest
