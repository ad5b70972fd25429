// Opus-in-MPEG-TS access-unit splitter on untrusted PES payloads: never crashes, and every
// packet it returns lies inside the input.
#include <cstdint>
#include <span>

#include "format/mpegts/opus_access_units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto units = vela::format::mpegts::split_opus_access_units(std::span<const uint8_t>(data, size));
  if (!units) return 0;
  size_t total = 0;
  for (const auto& unit : *units) {
    if (unit.packet.empty() || unit.packet.data() < data || unit.packet.data() + unit.packet.size() > data + size)
      __builtin_trap();
    total += unit.packet.size() + 3;  // each came with at least a 3-byte header
  }
  if (total > size) __builtin_trap();
  return 0;
}
