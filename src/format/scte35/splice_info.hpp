#pragma once
// SCTE-35 splice_info_section (ANSI/SCTE 35, section 9): the ad-insertion cue a broadcaster
// carries in MPEG-TS. We read what an ad marker needs: the command (splice_insert,
// time_signal, ...), its splice time and break duration, and segmentation descriptors.
// Pure; anything malformed is an error value, never a crash or a partial read.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vela::format::scte35 {

enum class CommandType : uint8_t {
  splice_null = 0x00,
  splice_schedule = 0x04,
  splice_insert = 0x05,
  time_signal = 0x06,
  bandwidth_reservation = 0x07,
  private_command = 0xFF,
};

struct SpliceInsert {
  uint32_t event_id = 0;
  bool cancel = false;
  bool out_of_network = false;  // true: leave the network feed (ad break starts)
  bool immediate = false;
  std::optional<uint64_t> pts_time;  // 33-bit, 90 kHz, before pts_adjustment
  std::optional<uint64_t> break_duration;  // 90 kHz
  bool auto_return = false;
  uint16_t unique_program_id = 0;
};

// segmentation_descriptor (SCTE 35, 10.3.3), the form time_signal cues carry.
struct Segmentation {
  uint32_t event_id = 0;
  bool cancel = false;
  uint8_t type_id = 0;  // e.g. 0x34 provider placement opportunity start, 0x35 its end
  std::optional<uint64_t> duration;  // 90 kHz
};

struct SpliceInfo {
  uint64_t pts_adjustment = 0;  // 33-bit, added to every pts_time
  uint16_t tier = 0;
  uint8_t command_type = 0;
  std::optional<SpliceInsert> splice_insert;
  std::optional<uint64_t> time_signal_pts;  // time_signal with a specified time
  std::vector<Segmentation> segmentations;

  // The splice time on the source's 33-bit clock with pts_adjustment applied, when the
  // command names one (an immediate or unspecified splice has none).
  std::optional<uint64_t> splice_pts() const;
};

// `section`: a whole splice_info_section including its CRC_32 (the demuxer has checked the
// CRC). Encrypted sections are refused (we hold no keys).
base::Result<SpliceInfo> parse_splice_info(std::span<const uint8_t> section);

// "splice_insert", "time_signal", ... ("unknown" otherwise).
std::string_view command_name(uint8_t command_type);

}  // namespace vela::format::scte35
