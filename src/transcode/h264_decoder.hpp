#pragma once
// Decodes single H.264 keyframes (IDR access units) into pictures, for thumbnails and, later,
// the transcoder. Each decode() sends one access unit, drains the decoder and flushes it, so
// one keyframe gives one picture and no state carries over to the next call.
//
// Threading: one thread at a time (built and used on a worker thread, never on a shard).
#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode {

class H264KeyframeDecoder {
 public:
  // avcc: the track's AVCDecoderConfigurationRecord (media::TrackInfo::codec_config).
  static base::Result<H264KeyframeDecoder> open(std::span<const uint8_t> avcc);

  // access_unit: one IDR access unit in AVCC form (length-prefixed NAL units, as
  // media::MediaFrame::payload holds it). The picture in the decoder's pixel format.
  base::Result<AvFramePtr> decode(std::span<const uint8_t> access_unit);

 private:
  explicit H264KeyframeDecoder(CodecContextPtr context) : context_(std::move(context)) {}

  CodecContextPtr context_;
};

}  // namespace vela::transcode
