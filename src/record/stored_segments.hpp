#pragma once
// The segments of one rendition of a recording, as a VOD playlist lists them: byte ranges
// of its data file. A segment is the run of its parts (consecutive in the file: each
// rendition's file is appended in order), closed by its segment end, or by the end of the
// journal for a last segment that never got one. Pure.
#include <cstdint>
#include <span>
#include <vector>

#include "record/recording_index.hpp"

namespace vela::record {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const ByteRange&) const = default;
};

struct StoredSegment {
  uint64_t msn = 0;
  ByteRange bytes;             // the concatenation of its parts
  uint64_t duration_us = 0;    // the sum of its parts'
  int64_t wall_clock_us = 0;   // of its first part; 0 when unknown
  int64_t media_time_us = 0;   // of its first part
  bool independent = false;    // its first part starts with a keyframe
  bool discontinuity = false;  // after a clock jump, or after its rendition began again
  ByteRange init;              // the init segment it needs
};

std::vector<StoredSegment> stored_segments(std::span<const IndexRecord> records, uint16_t rendition);

}  // namespace vela::record
