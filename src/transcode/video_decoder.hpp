#pragma once
// Continuous H.264 decoding for the transcoder: access units go in in decode order, pictures
// come out in presentation order, after the reorder delay of a source with B-frames and one
// frame of frame-threading delay (nothing flushes them at the end of a stream). Unlike
// H264KeyframeDecoder (thumbnails), state carries over from one access unit to the next.
//
// Threading: one thread at a time (a stream's transcode job on a worker, never a shard).
#include <cstdint>
#include <functional>
#include <span>

#include "base/result.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode {

class H264StreamDecoder {
 public:
  // avcc: the track's AVCDecoderConfigurationRecord (media::TrackInfo::codec_config).
  static base::Result<H264StreamDecoder> open(std::span<const uint8_t> avcc);

  // access_unit: AVCC (length-prefixed NAL units). pts/dts in the track's timescale; each
  // picture that comes out carries its access unit's pts in AVFrame::pts. on_picture is
  // called for every picture ready now (none, one, or several), in presentation order.
  base::Status decode(std::span<const uint8_t> access_unit, int64_t pts, int64_t dts,
                      const std::function<void(const AVFrame&)>& on_picture);

 private:
  explicit H264StreamDecoder(CodecContextPtr context, AvPacketPtr packet, AvFramePtr picture)
      : context_(std::move(context)), packet_(std::move(packet)), picture_(std::move(picture)) {}

  CodecContextPtr context_;
  AvPacketPtr packet_;   // reused for every access unit
  AvFramePtr picture_;   // reused for every picture (unreferenced after each callback)
};

}  // namespace vela::transcode
