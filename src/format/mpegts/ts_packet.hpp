#pragma once
// One 188-byte transport stream packet (ISO/IEC 13818-1, 2.4.3.2): header fields, the
// adaptation field's flags and PCR, and the payload view. Pure; never throws.
#include <cstdint>
#include <optional>
#include <span>

#include "base/result.hpp"

namespace vela::format::mpegts {

constexpr size_t kPacketSize = 188;
constexpr uint8_t kSyncByte = 0x47;
constexpr uint16_t kPatPid = 0x0000;
constexpr uint16_t kNullPid = 0x1FFF;

struct TsPacket {
  uint16_t pid = 0;
  bool transport_error = false;
  bool payload_unit_start = false;
  uint8_t scrambling = 0;  // transport_scrambling_control; nonzero = encrypted
  bool has_payload = false;
  uint8_t continuity_counter = 0;
  // adaptation field
  bool discontinuity = false;
  bool random_access = false;
  std::optional<uint64_t> pcr;       // 27 MHz: base * 300 + extension
  std::span<const uint8_t> payload;  // views the packet bytes
};

// Parses one packet (exactly kPacketSize bytes starting with the sync byte). An error for a
// packet whose adaptation field runs past the packet or whose control field is reserved.
base::Result<TsPacket> parse_ts_packet(std::span<const uint8_t> packet);

}  // namespace vela::format::mpegts
