#include "format/mpegts/opus_access_units.hpp"

#include "base/byte_reader.hpp"

namespace vela::format::mpegts {
namespace {

constexpr uint16_t kControlPrefix = 0x7FE0;  // 11 bits of ones, then the flags
constexpr uint16_t kPrefixMask = 0xFFE0;
constexpr uint8_t kStartTrim = 0x10;
constexpr uint8_t kEndTrim = 0x08;
constexpr uint8_t kControlExtension = 0x04;

}  // namespace

base::Result<std::vector<OpusAccessUnit>> split_opus_access_units(std::span<const uint8_t> pes_data) {
  std::vector<OpusAccessUnit> units;
  base::ByteReader r(pes_data);
  while (!r.empty()) {
    uint16_t header = r.u16be();
    if (!r.ok() || (header & kPrefixMask) != kControlPrefix) {
      return base::make_error("opus in MPEG-TS: access unit without its control header");
    }
    size_t size = 0;
    for (uint8_t byte = 0xFF; byte == 0xFF;) {
      byte = r.u8();
      if (!r.ok()) return base::make_error("opus in MPEG-TS: truncated au_size");
      size += byte;
    }
    OpusAccessUnit unit;
    auto flags = static_cast<uint8_t>(header & 0xFF);
    if (flags & kStartTrim) unit.start_trim = static_cast<uint16_t>(r.u16be() & 0x1FFF);
    if (flags & kEndTrim) unit.end_trim = static_cast<uint16_t>(r.u16be() & 0x1FFF);
    if (flags & kControlExtension) r.bytes(r.u8());
    if (!r.ok()) return base::make_error("opus in MPEG-TS: truncated control header");
    if (size == 0) return base::make_error("opus in MPEG-TS: empty access unit");
    unit.packet = r.bytes(size);
    if (!r.ok()) return base::make_error("opus in MPEG-TS: access unit longer than the PES");
    units.push_back(unit);
  }
  return units;
}

}  // namespace vela::format::mpegts
