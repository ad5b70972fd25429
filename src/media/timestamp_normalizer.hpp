#pragma once
// Turns a source's timestamps (RTMP/FLV milliseconds; MPEG-TS 90 kHz ticks) into each
// track's timescale on one stream timeline: one offset per stream (so audio and video stay
// in sync), exact integer rescaling, DTS strictly increasing per track, and a jump in the
// source clock marked as a discontinuity rather than passed on. AAC timestamps are snapped
// to whole frames, since millisecond rounding would otherwise make every sample's duration
// wobble. One normalizer serves one source clock: the first call fixes its unit.
// Pure: one owner (the ingest session); the wall clock is passed in.
#include <cstdint>
#include <optional>
#include <vector>

namespace vela::media {

struct NormalizedTime {
  int64_t dts = 0;  // track timescale
  int32_t cts = 0;  // track timescale
  bool discontinuity = false;
  int64_t wall_clock_us = 0;
};

class TimestampNormalizer {
 public:
  // A jump larger than this (either way) between consecutive frames of a track is a
  // discontinuity of the source clock.
  static constexpr int64_t kMaxGapMs = 10'000;

  // timescale: ticks per second; frame_ticks: fixed frame duration (AAC: 1024) or 0.
  void add_track(uint32_t track_id, int64_t timescale, int64_t frame_ticks);

  // source_ms: the 64-bit (already unwrapped) source DTS in ms; cts_ms: composition offset.
  // now_wall_us: the wall clock at arrival, used to anchor the stream on its first frame.
  std::optional<NormalizedTime> normalize(uint32_t track_id, int64_t source_ms, int32_t cts_ms,
                                          int64_t now_wall_us);

  // The same for a 90 kHz source clock (MPEG-TS PTS/DTS, already unwrapped to 64 bits).
  // source_discontinuity: the source says its clock restarted (TS discontinuity_indicator);
  // the frame is placed one usual interval after the track's last, unless another track
  // has already bridged the jump.
  std::optional<NormalizedTime> normalize_90khz(uint32_t track_id, int64_t source_ticks,
                                                int32_t cts_ticks, int64_t now_wall_us,
                                                bool source_discontinuity = false);

 private:
  struct Track {
    uint32_t id;
    int64_t timescale;
    int64_t frame_ticks;
    std::optional<int64_t> last_dts;
    int64_t last_shifted = 0;   // source time of the last frame, plus the shift then
    int64_t last_interval = 0;  // between the last two frames, to bridge a jump; 0 = 1 ms
    uint64_t epoch = 0;         // jumps bridged when this track last had a frame
  };

  std::optional<NormalizedTime> normalize_source(uint32_t track_id, int64_t source, int64_t cts,
                                                 int64_t source_timescale, int64_t now_wall_us,
                                                 bool source_discontinuity);

  std::vector<Track> tracks_;
  int64_t source_timescale_ = 0;   // source ticks per second, fixed by the first call
  std::optional<int64_t> origin_;  // source time that maps to stream time 0
  int64_t wall_anchor_us_ = 0;     // wall clock at stream time 0
  int64_t shift_ = 0;              // accumulated correction after discontinuities (source units)
  uint64_t epoch_ = 0;             // number of jumps bridged so far
};

}  // namespace vela::media
