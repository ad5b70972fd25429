#pragma once
// Test input for the transcode tests: a real H.264 keyframe made with libx264 from a
// synthetic two-colour picture, turned into what ingest hands the router (an avcC track and
// an AVCC access unit) with the project's own Annex B helpers.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "base/byte_writer.hpp"
#include "format/mpegts/annex_b.hpp"
#include "media/codec/h264.hpp"
#include "media/media_frame.hpp"
#include "transcode/ffmpeg_handles.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace vela::transcode::test {

struct Yuv {  // limited (TV) range, as encoders usually get it
  uint8_t y, u, v;
};
constexpr Yuv kBlack{16, 128, 128};
constexpr Yuv kRed{81, 90, 240};

struct Keyframe {
  media::TrackInfo track;
  media::MediaFrame frame;
};

// The left half of the picture is `left`, the right half `right`.
inline AvFramePtr two_colour_picture(int width, int height, Yuv left, Yuv right) {
  AvFramePtr picture(av_frame_alloc());
  picture->width = width;
  picture->height = height;
  picture->format = AV_PIX_FMT_YUV420P;
  EXPECT_GE(av_frame_get_buffer(picture.get(), 0), 0);
  for (int plane = 0; plane < 3; ++plane) {
    int w = plane ? width / 2 : width;
    int h = plane ? height / 2 : height;
    for (int row = 0; row < h; ++row) {
      uint8_t* line = picture->data[plane] + row * picture->linesize[plane];
      for (int x = 0; x < w; ++x) {
        const Yuv& c = x < w / 2 ? left : right;
        line[x] = plane == 0 ? c.y : plane == 1 ? c.u : c.v;
      }
    }
  }
  return picture;
}

// One IDR access unit of a width x height two-colour picture, nearly lossless.
inline Keyframe encode_keyframe(int width, int height, Yuv left = kBlack, Yuv right = kRed) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  EXPECT_NE(codec, nullptr) << "libx264 encoder missing";
  CodecContextPtr encoder(avcodec_alloc_context3(codec));
  encoder->width = width;
  encoder->height = height;
  encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder->time_base = {1, 30};
  encoder->thread_count = 1;
  av_opt_set(encoder->priv_data, "preset", "ultrafast", 0);
  av_opt_set(encoder->priv_data, "qp", "4", 0);
  EXPECT_GE(avcodec_open2(encoder.get(), codec, nullptr), 0);
  AvFramePtr picture = two_colour_picture(width, height, left, right);
  picture->pts = 0;
  EXPECT_GE(avcodec_send_frame(encoder.get(), picture.get()), 0);
  EXPECT_GE(avcodec_send_frame(encoder.get(), nullptr), 0);
  AvPacketPtr packet(av_packet_alloc());
  EXPECT_GE(avcodec_receive_packet(encoder.get(), packet.get()), 0);

  // Annex B (parameter sets in band) -> avcC + AVCC, as RTMP ingest delivers H.264.
  std::vector<std::vector<uint8_t>> sps, pps;
  std::vector<uint8_t> avcc_frame;
  base::ByteWriter writer(avcc_frame);
  for (auto nal :
       format::mpegts::split_annex_b({packet->data, static_cast<size_t>(packet->size)})) {
    uint8_t type = media::codec::nal_type(nal[0]);
    if (type == media::codec::kNalSps) {
      sps.emplace_back(nal.begin(), nal.end());
    } else if (type == media::codec::kNalPps) {
      pps.emplace_back(nal.begin(), nal.end());
    } else {
      writer.u32be(static_cast<uint32_t>(nal.size()));
      writer.bytes(nal);
    }
  }
  auto avcc = format::mpegts::build_avcc(sps, pps);
  EXPECT_TRUE(avcc.ok());
  auto track = media::codec::make_h264_track(1, base::Buffer::adopt(std::move(*avcc)));
  EXPECT_TRUE(track.ok());
  Keyframe out{*track, {}};
  out.frame.track_id = 1;
  out.frame.keyframe = true;
  out.frame.wall_clock_us = 1'700'000'000'000'000;
  out.frame.payload = base::Buffer::adopt(std::move(avcc_frame));
  return out;
}

}  // namespace vela::transcode::test
