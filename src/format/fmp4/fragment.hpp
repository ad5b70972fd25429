#pragma once
// CMAF / fMP4 media fragment: one moof (mfhd, then a traf per track with tfhd, tfdt and
// trun) followed by one mdat holding each track's samples contiguously, in traf order.
// Several tracks in one fragment is how muxed audio+video parts are built.
#include <cstdint>
#include <span>

#include "base/buffer.hpp"

namespace vela::format::fmp4 {

struct Sample {
  std::span<const uint8_t> data;   // borrowed: must stay valid during write_fragment
  uint32_t duration = 0;           // in the track's timescale
  int32_t composition_offset = 0;  // pts - dts
  bool sync = true;                // random-access point (video keyframe; every audio frame)
};

struct TrackRun {
  uint32_t track_id = 0;          // the trak's track_ID from the init segment
  uint64_t base_decode_time = 0;  // dts of the first sample (tfdt), track timescale
  std::span<const Sample> samples;
};

// Writes moof + mdat in one buffer; sample payloads are copied exactly once, into it.
// `sequence_number` (mfhd) should increase by one per fragment. Runs without samples are
// left out. The total sample payload must stay below 4 GiB (a 32-bit mdat size).
base::Buffer write_fragment(uint32_t sequence_number, std::span<const TrackRun> runs);

}  // namespace vela::format::fmp4
