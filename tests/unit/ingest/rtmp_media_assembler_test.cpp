#include "ingest/rtmp_media_assembler.hpp"

#include <gtest/gtest.h>

namespace vela::ingest {
namespace {

// libx264 720p30 avcC; AAC-LC 48 kHz stereo.
constexpr uint8_t kAvcc[] = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x1a, 0x67, 0x64, 0x00, 0x1f,
                             0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
                             0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60, 0x01, 0x00,
                             0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
constexpr uint8_t kAsc[] = {0x11, 0x90};

// FLV video tag body: frame type/codec, AVC packet type, composition time, payload.
base::Buffer video_tag(bool key, uint8_t packet_type, int32_t cts_ms, std::span<const uint8_t> payload) {
  std::vector<uint8_t> b = {static_cast<uint8_t>((key ? 0x10 : 0x20) | 7), packet_type,
                            static_cast<uint8_t>(cts_ms >> 16), static_cast<uint8_t>(cts_ms >> 8),
                            static_cast<uint8_t>(cts_ms)};
  b.insert(b.end(), payload.begin(), payload.end());
  return base::Buffer::adopt(std::move(b));
}

base::Buffer audio_tag(uint8_t packet_type, std::span<const uint8_t> payload) {
  std::vector<uint8_t> b = {0xAF, packet_type};
  b.insert(b.end(), payload.begin(), payload.end());
  return base::Buffer::adopt(std::move(b));
}

constexpr uint8_t kIdrNal[] = {0, 0, 0, 3, 0x65, 0x88, 0x84};
constexpr uint8_t kAacFrame[] = {0x21, 0x10, 0x04};

format::Amf0Value metadata_with(bool video, bool audio) {
  format::Amf0Properties props;
  if (video) props.emplace_back("videocodecid", format::Amf0Value::number(7));
  if (audio) props.emplace_back("audiocodecid", format::Amf0Value::number(10));
  props.emplace_back("framerate", format::Amf0Value::number(30));
  return format::Amf0Value::ecma_array(std::move(props));
}

TEST(RtmpMediaAssembler, HoldsFramesUntilEveryPromisedTrackIsConfigured) {
  RtmpMediaAssembler a;
  a.on_metadata(metadata_with(true, true));
  ASSERT_TRUE(a.on_video(1000, video_tag(true, 0, 0, kAvcc), 0)->empty());
  auto held = a.on_video(1000, video_tag(true, 1, 0, kIdrNal), 0);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->empty());  // audio config still missing
  EXPECT_FALSE(a.announced());
  auto out = a.on_audio(1000, audio_tag(0, kAsc), 0);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);  // the tracks, then the held frame
  const auto& tracks = std::get<TracksAnnounced>((*out)[0]).tracks;
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[0].width, 1280u);
  EXPECT_EQ(tracks[0].frame_rate, 30);
  EXPECT_EQ(tracks[1].sample_rate, 48000u);
  auto frame = std::get<media::FramePtr>((*out)[1]);
  EXPECT_TRUE(frame->keyframe);
  EXPECT_EQ(frame->dts, 0);
}

TEST(RtmpMediaAssembler, SlicesPayloadWithoutCopyAndRescalesTime) {
  RtmpMediaAssembler a;
  a.on_metadata(metadata_with(true, false));
  (void)a.on_video(500, video_tag(true, 0, 0, kAvcc), 0);
  base::Buffer body = video_tag(false, 1, 66, kIdrNal);
  (void)a.on_video(500, video_tag(true, 1, 0, kIdrNal), 7'000'000);
  auto out = a.on_video(533, body, 7'033'000);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 1u);
  auto frame = std::get<media::FramePtr>((*out)[0]);
  EXPECT_EQ(frame->dts, 33 * 90);
  EXPECT_EQ(frame->cts, 66 * 90);
  EXPECT_FALSE(frame->keyframe);
  EXPECT_EQ(frame->payload.data(), body.data() + 5);  // a view into the message
  EXPECT_EQ(frame->payload.size(), sizeof kIdrNal);
  EXPECT_EQ(frame->wall_clock_us, 7'033'000);
}

TEST(RtmpMediaAssembler, RejectsUnsupportedCodecsAndBadConfig) {
  RtmpMediaAssembler a;
  const uint8_t hevc[] = {0x1C, 0x00, 0, 0, 0};  // legacy codec id 12
  auto bad = a.on_video(0, base::Buffer::copy_of(hevc), 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("HEVC"), std::string::npos);
  const uint8_t junk[] = {0x01, 0x02};
  EXPECT_FALSE(a.on_video(0, video_tag(true, 0, 0, junk), 0).ok());
  const uint8_t mp3[] = {0x2F, 0x00};
  EXPECT_FALSE(a.on_audio(0, base::Buffer::copy_of(mp3), 0).ok());
  EXPECT_FALSE(a.on_video(0, base::Buffer(), 0).ok());
}

TEST(RtmpMediaAssembler, ReannouncesOnNewSequenceHeader) {
  RtmpMediaAssembler a;
  a.on_metadata(metadata_with(false, true));
  (void)a.on_audio(0, audio_tag(0, kAsc), 0);
  auto first = a.on_audio(0, audio_tag(1, kAacFrame), 0);
  ASSERT_EQ(first->size(), 2u);
  const uint8_t mono44[] = {0x12, 0x08};
  (void)a.on_audio(21, audio_tag(0, mono44), 0);
  auto next = a.on_audio(21, audio_tag(1, kAacFrame), 0);
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ(std::get<TracksAnnounced>((*next)[0]).tracks[0].sample_rate, 44100u);
}

}  // namespace
}  // namespace vela::ingest
