#pragma once
// Test input for the transcoder tests: a short H.264 sequence made with libx264 (a picture
// whose colours move every frame, fixed GOP length, optional B-frames), turned into what
// ingest hands the router: one avcC track and AVCC frames on the 90 kHz timeline.
#include <gtest/gtest.h>

#include <vector>

#include "h264_test_source.hpp"

namespace vela::transcode::test {

struct Sequence {
  media::TrackInfo track;
  std::vector<media::MediaFrame> frames;  // decode order
};

struct SequenceOptions {
  int width = 640;
  int height = 360;
  int fps = 30;
  int frames = 30;
  int gop = 15;     // a keyframe every `gop` frames
  int bframes = 0;  // > 0: frames are reordered (cts > 0)
};

inline Sequence encode_sequence(const SequenceOptions& o) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  EXPECT_NE(codec, nullptr) << "libx264 encoder missing";
  CodecContextPtr encoder(avcodec_alloc_context3(codec));
  encoder->width = o.width;
  encoder->height = o.height;
  encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder->time_base = {1, o.fps};
  encoder->framerate = {o.fps, 1};
  encoder->gop_size = o.gop;
  encoder->keyint_min = o.gop;
  encoder->max_b_frames = o.bframes;
  encoder->thread_count = 1;
  encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(encoder->priv_data, "preset", "ultrafast", 0);
  av_opt_set(encoder->priv_data, "x264-params", "scenecut=0", 0);
  if (o.bframes > 0) av_opt_set(encoder->priv_data, "x264-params", "scenecut=0:bframes=2:b-adapt=0", 0);
  EXPECT_GE(avcodec_open2(encoder.get(), codec, nullptr), 0);

  std::vector<std::vector<uint8_t>> sps, pps;
  for (auto nal : format::mpegts::split_annex_b({encoder->extradata, static_cast<size_t>(encoder->extradata_size)})) {
    uint8_t type = media::codec::nal_type(nal[0]);
    if (type == media::codec::kNalSps) sps.emplace_back(nal.begin(), nal.end());
    if (type == media::codec::kNalPps) pps.emplace_back(nal.begin(), nal.end());
  }
  auto avcc = format::mpegts::build_avcc(sps, pps);
  EXPECT_TRUE(avcc.ok());
  auto track = media::codec::make_h264_track(1, base::Buffer::adopt(std::move(*avcc)));
  EXPECT_TRUE(track.ok());
  Sequence out{*track, {}};
  out.track.frame_rate = o.fps;

  const int64_t tick = media::kVideoTimescale / o.fps;
  const int64_t offset = 2 * tick;  // B-frames make the encoder's first dts negative
  AvPacketPtr packet(av_packet_alloc());
  auto drain = [&] {
    while (avcodec_receive_packet(encoder.get(), packet.get()) >= 0) {
      media::MediaFrame frame;
      frame.track_id = 1;
      frame.dts = packet->dts * tick + offset;
      frame.cts = static_cast<int32_t>((packet->pts - packet->dts) * tick);
      frame.keyframe = (packet->flags & AV_PKT_FLAG_KEY) != 0;
      frame.wall_clock_us = 1'700'000'000'000'000 + frame.dts * 100 / 9;
      std::vector<uint8_t> avcc_frame;
      base::ByteWriter writer(avcc_frame);
      for (auto nal : format::mpegts::split_annex_b({packet->data, static_cast<size_t>(packet->size)})) {
        writer.u32be(static_cast<uint32_t>(nal.size()));
        writer.bytes(nal);
      }
      frame.payload = base::Buffer::adopt(std::move(avcc_frame));
      out.frames.push_back(std::move(frame));
      av_packet_unref(packet.get());
    }
  };
  for (int i = 0; i < o.frames; ++i) {
    // The colours move with i, so every frame differs from the last.
    Yuv left{static_cast<uint8_t>(16 + (i * 7) % 200), 128, static_cast<uint8_t>(100 + i % 50)};
    AvFramePtr picture = two_colour_picture(o.width, o.height, left, kRed);
    picture->pts = i;
    EXPECT_GE(avcodec_send_frame(encoder.get(), picture.get()), 0);
    drain();
  }
  EXPECT_GE(avcodec_send_frame(encoder.get(), nullptr), 0);
  drain();
  return out;
}

}  // namespace vela::transcode::test
