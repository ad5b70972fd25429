#pragma once
// Reading back a JPEG in tests: FFmpeg's MJPEG decoder, and mean sample values of a region.
#include <gtest/gtest.h>

#include <cstring>

#include "base/buffer.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode::test {

inline AvFramePtr decode_jpeg(const base::Buffer& jpeg) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
  CodecContextPtr decoder(avcodec_alloc_context3(codec));
  EXPECT_GE(avcodec_open2(decoder.get(), codec, nullptr), 0);
  AvPacketPtr packet(av_packet_alloc());
  EXPECT_GE(av_new_packet(packet.get(), static_cast<int>(jpeg.size())), 0);
  std::memcpy(packet->data, jpeg.data(), jpeg.size());
  AvFramePtr picture(av_frame_alloc());
  int sent = avcodec_send_packet(decoder.get(), packet.get());
  if (sent < 0 || avcodec_receive_frame(decoder.get(), picture.get()) < 0) return nullptr;
  return picture;
}

// Mean of plane `plane` over the square of `size` samples centred on (x, y) (plane units).
inline double mean_sample(const AVFrame& picture, int plane, int x, int y, int size = 8) {
  double sum = 0;
  for (int row = y - size / 2; row < y + size / 2; ++row) {
    for (int col = x - size / 2; col < x + size / 2; ++col)
      sum += picture.data[plane][row * picture.linesize[plane] + col];
  }
  return sum / (size * size);
}

// Limited (TV) range to full (JPEG) range, per BT.601.
inline double full_luma(double y) {
  return (y - 16) * 255.0 / 219.0;
}
inline double full_chroma(double c) {
  return (c - 128) * 255.0 / 224.0 + 128;
}

}  // namespace vela::transcode::test
