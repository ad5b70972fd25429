#include "media/timestamp_normalizer.hpp"

#include <cstdlib>

#include "base/time.hpp"

namespace vela::media {

void TimestampNormalizer::add_track(uint32_t track_id, int64_t timescale, int64_t frame_ticks) {
  for (auto& t : tracks_) {
    if (t.id == track_id) {
      t.timescale = timescale;
      t.frame_ticks = frame_ticks;
      return;
    }
  }
  tracks_.push_back({track_id, timescale, frame_ticks, std::nullopt, 0, 1});
}

std::optional<NormalizedTime> TimestampNormalizer::normalize(uint32_t track_id, int64_t source_ms,
                                                             int32_t cts_ms, int64_t now_wall_us) {
  Track* track = nullptr;
  for (auto& t : tracks_) {
    if (t.id == track_id) track = &t;
  }
  if (!track) return std::nullopt;
  if (!origin_ms_) {
    origin_ms_ = source_ms;
    wall_anchor_us_ = now_wall_us;
  }
  NormalizedTime out;
  if (track->last_dts) {
    int64_t interval = source_ms - track->last_source_ms;
    if (std::llabs(interval) > kMaxGapMs) {
      // A source clock jump: shift the source so this frame follows the last one by the
      // usual interval, keeping the stream timeline continuous.
      shift_ms_ += track->last_source_ms + track->last_interval_ms - source_ms;
      out.discontinuity = true;
    } else if (interval > 0) {
      track->last_interval_ms = interval;
    }
  }
  track->last_source_ms = source_ms;
  int64_t stream_ms = source_ms - *origin_ms_ + shift_ms_;
  int64_t dts = base::rescale(stream_ms, 1000, track->timescale);
  if (track->frame_ticks > 0 && track->last_dts) {
    // Snap to the next whole frame when the source is within half a frame of it.
    int64_t expected = *track->last_dts + track->frame_ticks;
    if (std::llabs(dts - expected) <= track->frame_ticks / 2) dts = expected;
  }
  if (track->last_dts && dts <= *track->last_dts) dts = *track->last_dts + 1;  // strictly increasing
  track->last_dts = dts;
  out.dts = dts;
  out.cts = static_cast<int32_t>(base::rescale(cts_ms, 1000, track->timescale));
  out.wall_clock_us = wall_anchor_us_ + base::rescale(dts, track->timescale, base::kMicrosPerSecond);
  return out;
}

}  // namespace vela::media
