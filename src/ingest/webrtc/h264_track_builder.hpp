#pragma once
// The video track of a WebRTC publisher, from the parameter sets that arrive in-band (a
// browser sends SPS and PPS before every IDR). The avcC is built from the latest SPS and PPS
// (the first of each in a unit); a different one (Chrome changes resolution under load) is
// a new TrackInfo. Pure; one owner.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/track_info.hpp"

namespace vela::ingest {

class H264TrackBuilder {
 public:
  explicit H264TrackBuilder(uint32_t track_id) : track_id_(track_id) {}

  // Reads the SPS/PPS of one AVCC access unit. True when the track changed (or was made).
  bool on_access_unit(std::span<const uint8_t> avcc_unit);

  const std::optional<media::TrackInfo>& track() const { return track_; }
  // Parameter sets that made no valid track (bad SPS, too large); the last good track stays.
  uint64_t rejected() const { return rejected_; }

 private:
  uint32_t track_id_;
  std::vector<uint8_t> sps_;
  std::vector<uint8_t> pps_;
  std::optional<media::TrackInfo> track_;
  uint64_t rejected_ = 0;
};

}  // namespace vela::ingest
