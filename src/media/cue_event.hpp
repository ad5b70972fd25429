#pragma once
// An ad-insertion cue (SCTE-35) placed on a stream's timeline: kept on the stream for
// ad markers (HLS EXT-X-DATERANGE, SCTE-35 passthrough) and shown in the stream API.
#include <cstdint>
#include <optional>
#include <string>

#include "base/buffer.hpp"

namespace vela::media {

struct CueEvent {
  std::string command;               // "splice_insert", "time_signal", ...
  uint32_t event_id = 0;             // splice_event_id or segmentation_event_id
  bool cancel = false;               // cancels an earlier cue with the same event id
  bool out_of_network = false;       // splice_insert: the break starts (false: it ends)
  std::optional<uint8_t> segmentation_type;  // time_signal: the segmentation_type_id
  std::optional<int64_t> pts;        // splice time on the stream timeline, 90 kHz; none: now
  std::optional<int64_t> duration;   // break or segment duration, 90 kHz
  int64_t received_wall_us = 0;
  base::Buffer section;              // the whole splice_info_section, as carried
};

}  // namespace vela::media
