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
  tracks_.push_back({track_id, timescale, frame_ticks, std::nullopt, 0, 0, 0});
}

std::optional<NormalizedTime> TimestampNormalizer::normalize(uint32_t track_id, int64_t source_ms,
                                                             int32_t cts_ms, int64_t now_wall_us) {
  return normalize_source(track_id, source_ms, cts_ms, 1000, now_wall_us, false);
}

std::optional<NormalizedTime> TimestampNormalizer::normalize_90khz(uint32_t track_id,
                                                                   int64_t source_ticks,
                                                                   int32_t cts_ticks,
                                                                   int64_t now_wall_us,
                                                                   bool source_discontinuity) {
  return normalize_source(track_id, source_ticks, cts_ticks, 90'000, now_wall_us,
                          source_discontinuity);
}

std::optional<NormalizedTime> TimestampNormalizer::normalize_source(uint32_t track_id,
                                                                    int64_t source, int64_t cts,
                                                                    int64_t source_timescale,
                                                                    int64_t now_wall_us,
                                                                    bool source_discontinuity) {
  Track* track = nullptr;
  for (auto& t : tracks_) {
    if (t.id == track_id) track = &t;
  }
  if (!track) return std::nullopt;
  if (!origin_) {
    origin_ = source;
    wall_anchor_us_ = now_wall_us;
    source_timescale_ = source_timescale;
  }
  if (source_timescale != source_timescale_) return std::nullopt;  // one source clock only
  NormalizedTime out;
  if (track->last_dts) {
    // Compared after the shift, so a jump already bridged by another track is not bridged
    // twice; that track's frames are still marked.
    int64_t interval = source + shift_ - track->last_shifted;
    bool jumped = std::llabs(interval) > kMaxGapMs * source_timescale / 1000 ||
                  (source_discontinuity && track->epoch == epoch_);
    if (jumped) {
      // Shift the source so this frame follows the last one by the usual interval, keeping
      // the stream timeline continuous.
      int64_t usual = track->last_interval > 0 ? track->last_interval : source_timescale / 1000;
      shift_ += track->last_shifted + usual - (source + shift_);
      ++epoch_;
      out.discontinuity = true;
    } else if (interval > 0) {
      track->last_interval = interval;
    }
    if (track->epoch != epoch_) out.discontinuity = true;
  }
  track->epoch = epoch_;
  track->last_shifted = source + shift_;
  int64_t stream_time = source - *origin_ + shift_;
  int64_t dts = base::rescale(stream_time, source_timescale, track->timescale);
  if (track->frame_ticks > 0 && track->last_dts) {
    // Snap to the next whole frame when the source is within half a frame of it.
    int64_t expected = *track->last_dts + track->frame_ticks;
    if (std::llabs(dts - expected) <= track->frame_ticks / 2) dts = expected;
  }
  if (track->last_dts && dts <= *track->last_dts)
    dts = *track->last_dts + 1;  // strictly increasing
  track->last_dts = dts;
  out.dts = dts;
  out.cts = static_cast<int32_t>(base::rescale(cts, source_timescale, track->timescale));
  out.wall_clock_us =
      wall_anchor_us_ + base::rescale(dts, track->timescale, base::kMicrosPerSecond);
  return out;
}

}  // namespace vela::media
