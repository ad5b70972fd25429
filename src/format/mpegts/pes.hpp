#pragma once
// The PES packet header (ISO/IEC 13818-1, 2.4.3.6): stream id, declared length and the
// 33-bit PTS/DTS. Pure; malformed input is an error value.
#include <cstdint>
#include <optional>
#include <span>

#include "base/result.hpp"

namespace vela::format::mpegts {

constexpr uint64_t kTimestampMask = (uint64_t{1} << 33) - 1;  // PTS/DTS are 33-bit, 90 kHz

struct PesHeader {
  uint8_t stream_id = 0;
  uint16_t packet_length = 0;   // bytes after the length field; 0 = unbounded (video)
  std::optional<uint64_t> pts;  // 33-bit
  std::optional<uint64_t> dts;  // 33-bit; only with a PTS
  size_t header_size = 0;       // bytes before the elementary stream data
};

// Parses the header at the start of a PES packet (at least its fixed part must be there).
base::Result<PesHeader> parse_pes_header(std::span<const uint8_t> pes);

}  // namespace vela::format::mpegts
