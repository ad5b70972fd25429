#pragma once
// Opus in MPEG-TS (the Opus mapping registered as 'Opus', stream_type 0x06): a PES payload
// is a run of access units, each behind an opus_control_header: an 11-bit prefix 0x3FF,
// trim and extension flags, the AU size as a run of 0xFF bytes plus a final byte, optional
// start/end trims (samples to discard at 48 kHz) and an extension. This splits a PES
// payload into its Opus packets. Pure; malformed input is an error, never a partial read.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::format::mpegts {

struct OpusAccessUnit {
  std::span<const uint8_t> packet;  // one Opus packet (RFC 6716), a view into the PES data
  std::optional<uint16_t> start_trim;
  std::optional<uint16_t> end_trim;
};

base::Result<std::vector<OpusAccessUnit>> split_opus_access_units(std::span<const uint8_t> pes_data);

}  // namespace vela::format::mpegts
