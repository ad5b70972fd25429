#include "ingest/webrtc/rtp_timeline.hpp"

#include <algorithm>

namespace vela::ingest {

RtpTimeline::RtpTimeline(uint32_t clock_rate, int64_t timescale, int64_t max_jump_us)
    : clock_rate_(std::max<uint32_t>(clock_rate, 1)),
      timescale_(std::max<int64_t>(timescale, 1)),
      max_jump_us_(max_jump_us) {}

int64_t RtpTimeline::to_timescale(int64_t rtp_ticks) const {
  return base::rescale(rtp_ticks, clock_rate_, timescale_);
}

int64_t RtpTimeline::expected_at(int64_t now_us) const {
  return base::rescale(std::max<int64_t>(now_us, 0), base::kMicrosPerSecond, timescale_);
}

void RtpTimeline::on_packet(uint32_t rtp_timestamp, int64_t arrival_us) {
  if (anchored_) return;
  anchored_ = true;
  anchor_rtp_ = rtp_timestamp;
  anchor_dts_ = expected_at(arrival_us);
}

std::optional<TimelinePoint> RtpTimeline::map(uint32_t rtp_timestamp, int64_t now_us) {
  if (!anchored_) on_packet(rtp_timestamp, now_us);
  if (!mapped_) {
    mapped_ = true;
    // A frame from before the first packet (it was overtaken) becomes the anchor itself.
    if (static_cast<int32_t>(rtp_timestamp - anchor_rtp_) < 0) anchor_rtp_ = rtp_timestamp;
    anchor_unwrapped_ = unwrapper_.unwrap(anchor_rtp_);
  }
  const int64_t unwrapped = unwrapper_.unwrap(rtp_timestamp);
  TimelinePoint point;
  point.dts = anchor_dts_ + to_timescale(unwrapped - anchor_unwrapped_);
  const int64_t expected = expected_at(now_us);
  const int64_t max_jump = base::rescale(max_jump_us_, base::kMicrosPerSecond, timescale_);
  if (point.dts - expected > max_jump || expected - point.dts > max_jump) {
    // Re-anchor at the arrival; never behind the last frame.
    anchor_unwrapped_ = unwrapped;
    anchor_dts_ = last_dts_ ? std::max(expected, *last_dts_ + 1) : expected;
    point.dts = anchor_dts_;
    point.discontinuity = true;
  }
  if (last_dts_ && point.dts <= *last_dts_) return std::nullopt;
  last_dts_ = point.dts;
  return point;
}

}  // namespace vela::ingest
