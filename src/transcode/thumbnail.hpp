#pragma once
// One thumbnail from one H.264 keyframe: decode, scale, JPEG. CPU work of tens of
// milliseconds: run it on a worker thread, never on a shard.
#include <cstdint>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::transcode {

struct Thumbnail {
  base::Buffer jpeg;
  uint32_t width = 0;
  uint32_t height = 0;
  int64_t captured_wall_us = 0;  // wall-clock time of the keyframe (its stream anchor)
};

// keyframe: an IDR access unit of `track` (H.264). The JPEG is at most max_width wide, sized
// by plan_thumbnail_size().
base::Result<Thumbnail> make_thumbnail(const media::TrackInfo& track,
                                       const media::MediaFrame& keyframe, uint32_t max_width);

}  // namespace vela::transcode
