#pragma once
// AAC in ADTS framing (ISO/IEC 13818-7 / 14496-3, 1.A.2), as MPEG-TS stream type 0x0F
// carries it: the fixed and variable header, and the AudioSpecificConfig it implies.
// Pure; never throws.
#include <array>
#include <cstdint>
#include <span>

#include "base/result.hpp"

namespace vela::format::mpegts {

constexpr size_t kAdtsHeaderSize = 7;  // 9 with a CRC

struct AdtsHeader {
  uint8_t object_type = 0;     // profile + 1 (2 = AAC-LC)
  uint8_t sampling_index = 0;  // sampling_frequency_index (0..12)
  uint8_t channel_config = 0;
  size_t header_size = kAdtsHeaderSize;
  size_t frame_length = 0;  // header included
};

// Parses the ADTS header at the start of `bytes`. An error for a missing syncword, a
// reserved sampling index, a frame length shorter than its header, or a frame with more
// than one raw data block (not produced by live encoders).
base::Result<AdtsHeader> parse_adts_header(std::span<const uint8_t> bytes);

// The 2-byte AudioSpecificConfig: object type, sampling index, channel configuration.
std::array<uint8_t, 2> adts_audio_specific_config(const AdtsHeader& header);

}  // namespace vela::format::mpegts
