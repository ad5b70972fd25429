#pragma once
// H.264 encoding of one rendition with libx264 (through libavcodec), set up for live ABR:
// constant target bitrate under a VBV cap, no B-frames (so dts == pts), no lookahead (one
// picture in, one access unit out, no delay), and IDRs only where the caller asks for them
// (no scene cuts, no periodic keyframes), so every rendition of a stream can start its GOPs
// on the same source frames. Output is what the router carries: AVCC access units and an
// avcC record.
//
// Threading: one thread at a time (a stream's transcode job on a worker, never a shard).
#include <cstdint>
#include <string>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "transcode/ffmpeg_handles.hpp"
#include "transcode/scaler.hpp"

namespace vela::transcode {

struct VideoEncoderOptions {
  PictureSize size;
  uint32_t video_kbps = 1000;
  double frame_rate = 30;           // nominal, for rate control; timestamps rule
  std::string preset = "veryfast";  // x264 preset
  int threads = 1;                  // x264 threads (1: no slices, no frame-thread delay)
};

struct EncodedPicture {
  int64_t pts = 0;  // the input picture's pts (90 kHz); dts is the same (no B-frames)
  bool keyframe = false;
  base::Buffer access_unit;  // AVCC, 4-byte lengths, no parameter sets (they are in the avcC)
};

class H264Encoder {
 public:
  static base::Result<H264Encoder> open(const VideoEncoderOptions& options);

  // The avcC record for the track (known once open() has succeeded).
  const base::Buffer& avcc() const { return avcc_; }
  // The RFC 6381 codec string ("avc1.PPCCLL") from the avcC.
  const std::string& codec_string() const { return codec_string_; }

  // picture: limited-range yuv420p of the configured size, pts in 90 kHz. idr: this picture
  // must be an IDR (a GOP start); no other picture is one.
  base::Result<EncodedPicture> encode(AVFrame& picture, bool idr);

 private:
  H264Encoder(CodecContextPtr context, AvPacketPtr packet, base::Buffer avcc, std::string codec)
      : context_(std::move(context)), packet_(std::move(packet)), avcc_(std::move(avcc)),
        codec_string_(std::move(codec)) {}

  CodecContextPtr context_;
  AvPacketPtr packet_;
  base::Buffer avcc_;
  std::string codec_string_;
};

}  // namespace vela::transcode
