#pragma once
// What a pure ingest assembler (RTMP/FLV, MPEG-TS) yields for its session to publish:
// the stream's tracks (again whenever a codec configuration changes) and frames.
#include <variant>
#include <vector>

#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::ingest {

struct TracksAnnounced {
  std::vector<media::TrackInfo> tracks;
};
using AssembledOutput = std::variant<TracksAnnounced, media::FramePtr>;

}  // namespace vela::ingest
