#pragma once
// One access unit (a video frame or an audio frame). Immutable once built, shared by
// reference (FramePtr) from ingest to every consumer on every shard.
#include <cstdint>
#include <memory>

#include "base/buffer.hpp"

namespace vela::media {

struct MediaFrame {
  uint32_t track_id = 0;
  int64_t dts = 0;            // decode time in the track's timescale, 64-bit monotonic
  int32_t cts = 0;            // composition offset: pts = dts + cts (B-frames)
  bool keyframe = false;      // video: IDR; audio: always true
  bool discontinuity = false; // the source clock jumped before this frame
  // H.264: AVCC (4-byte length-prefixed NAL units); AAC: one raw access unit.
  base::Buffer payload;
  int64_t wall_clock_us = 0;  // wall-clock time that corresponds to dts (stream anchor)

  int64_t pts() const { return dts + cts; }
};

using FramePtr = std::shared_ptr<const MediaFrame>;

}  // namespace vela::media
