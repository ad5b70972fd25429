// SCTE-35 splice_info_section parser on untrusted bytes (cues inside an SRT publisher's
// MPEG-TS). Must never crash; what it returns must be self-consistent.
#include <cstdint>
#include <span>

#include "format/scte35/splice_info.hpp"

using namespace vela::format::scte35;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = parse_splice_info(std::span<const uint8_t>(data, size));
  if (!info) return 0;
  if (info->pts_adjustment >= (uint64_t{1} << 33)) __builtin_trap();
  if (auto pts = info->splice_pts(); pts && *pts >= (uint64_t{1} << 33)) __builtin_trap();
  if (info->splice_insert && info->command_type != 0x05) __builtin_trap();
  if (info->segmentations.size() > size / 6) __builtin_trap();  // each needs >= 6 bytes
  (void)command_name(info->command_type);
  return 0;
}
