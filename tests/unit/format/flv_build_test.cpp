#include "format/flv_build.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "format/flv.hpp"

namespace vela::format {
namespace {

using Bytes = std::vector<uint8_t>;

media::TrackInfo video_track() {
  media::TrackInfo t;
  t.id = 1;
  t.kind = media::MediaKind::video;
  t.codec = media::Codec::h264;
  t.timescale = media::kVideoTimescale;
  t.codec_config = base::Buffer::copy_of(Bytes{0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1});
  t.width = 1280;
  t.height = 720;
  t.frame_rate = 30;
  return t;
}

media::TrackInfo audio_track() {
  media::TrackInfo t;
  t.id = 2;
  t.kind = media::MediaKind::audio;
  t.codec = media::Codec::aac;
  t.timescale = 48000;
  t.codec_config = base::Buffer::copy_of(Bytes{0x11, 0x90});
  t.sample_rate = 48000;
  t.channels = 2;
  return t;
}

media::MediaFrame frame(uint32_t track, int64_t dts, int32_t cts, bool keyframe, Bytes payload) {
  media::MediaFrame f;
  f.track_id = track;
  f.dts = dts;
  f.cts = cts;
  f.keyframe = keyframe;
  f.payload = base::Buffer::copy_of(payload);
  return f;
}

bool same(std::span<const uint8_t> a, const base::Buffer& b) {
  return std::ranges::equal(a, b.span());
}

TEST(FlvBuild, AvcSequenceHeaderRoundTrips) {
  auto track = video_track();
  Bytes body;
  ASSERT_TRUE(build_flv_sequence_header(track, body).ok());
  auto tag = parse_flv_video(body);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->codec, FlvVideoCodec::avc);
  EXPECT_TRUE(tag->keyframe());
  EXPECT_EQ(tag->packet_type, FlvPacketType::sequence_header);
  EXPECT_TRUE(same(tag->payload, track.codec_config));
}

TEST(FlvBuild, AvcFramesCarryKeyframeFlagAndCompositionTime) {
  auto track = video_track();
  Bytes nalus = {0, 0, 0, 2, 0x65, 0x88};
  // dts 1 s + 1 tick; pts 80 ms later: the dts rounds down, cts is taken from rounded pts.
  auto key = frame(1, 90'001, 7200, true, nalus);
  Bytes body;
  auto ts = build_flv_frame(track, key, body);
  ASSERT_TRUE(ts.ok()) << ts.error().message;
  EXPECT_EQ(*ts, 1000);
  auto tag = parse_flv_video(body);
  ASSERT_TRUE(tag.ok());
  EXPECT_TRUE(tag->keyframe());
  EXPECT_EQ(tag->packet_type, FlvPacketType::coded_frames);
  EXPECT_EQ(tag->composition_time, 80);
  EXPECT_TRUE(same(tag->payload, key.payload));

  body.clear();
  auto inter = frame(1, 93'000, -1800, false, nalus);
  ts = build_flv_frame(track, inter, body);
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, 1033);
  tag = parse_flv_video(body);
  ASSERT_TRUE(tag.ok());
  EXPECT_FALSE(tag->keyframe());
  EXPECT_EQ(tag->composition_time, -20);
}

TEST(FlvBuild, CompositionTimeOutOfRangeIsAnError) {
  Bytes body;
  auto f = frame(1, 0, 90 * (1 << 23), true, {0, 0, 0, 1, 0x65});
  EXPECT_FALSE(build_flv_frame(video_track(), f, body).ok());
}

TEST(FlvBuild, AacRoundTrips) {
  auto track = audio_track();
  Bytes body;
  ASSERT_TRUE(build_flv_sequence_header(track, body).ok());
  auto header = parse_flv_audio(body);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->codec, FlvAudioCodec::aac);
  EXPECT_EQ(header->packet_type, FlvPacketType::sequence_header);
  EXPECT_TRUE(same(header->payload, track.codec_config));

  body.clear();
  auto au = frame(2, 48'000 * 3 + 1024, 0, true, {0x21, 0x10, 0x04});
  auto ts = build_flv_frame(track, au, body);
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, 3021);  // 1024 samples at 48 kHz = 21.33 ms, rounded down
  auto tag = parse_flv_audio(body);
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->packet_type, FlvPacketType::coded_frames);
  EXPECT_TRUE(same(tag->payload, au.payload));
}

TEST(FlvBuild, BodiesAppendToTheCallersVector) {
  Bytes body = {0xEE};
  ASSERT_TRUE(build_flv_frame(audio_track(), frame(2, 0, 0, true, {1}), body).ok());
  EXPECT_EQ(body, (Bytes{0xEE, 0xAF, 0x01, 0x01}));
}

TEST(FlvBuild, MissingConfigurationIsAnError) {
  auto track = video_track();
  track.codec_config = {};
  Bytes body;
  EXPECT_FALSE(build_flv_sequence_header(track, body).ok());
}

TEST(FlvBuild, MetadataDescribesTheTracks) {
  std::vector<media::TrackInfo> tracks = {video_track(), audio_track()};
  auto m = build_flv_metadata(tracks);
  EXPECT_EQ(m.type(), Amf0Type::ecma_array);
  EXPECT_EQ(m.number_at("width"), 1280);
  EXPECT_EQ(m.number_at("height"), 720);
  EXPECT_EQ(m.number_at("framerate"), 30);
  EXPECT_EQ(m.number_at("videocodecid"), 7);
  EXPECT_EQ(m.number_at("audiocodecid"), 10);
  EXPECT_EQ(m.number_at("audiosamplerate"), 48000);
  ASSERT_NE(m.find("stereo"), nullptr);
  EXPECT_TRUE(m.find("stereo")->as_boolean());
}

}  // namespace
}  // namespace vela::format
