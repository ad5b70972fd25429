#include "format/flv.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vela::format {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(FlvVideo, AvcSequenceHeader) {
  Bytes body = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1F};
  auto tag = parse_flv_video(body);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->frame_type, FlvFrameType::keyframe);
  EXPECT_TRUE(tag->keyframe());
  EXPECT_EQ(tag->codec, FlvVideoCodec::avc);
  EXPECT_EQ(tag->codec_id, kFlvCodecIdAvc);
  EXPECT_FALSE(tag->enhanced);
  EXPECT_EQ(tag->packet_type, FlvPacketType::sequence_header);
  EXPECT_EQ(tag->composition_time, 0);
  EXPECT_EQ(tag->payload_offset, 5u);
  EXPECT_EQ(Bytes(tag->payload.begin(), tag->payload.end()), (Bytes{0x01, 0x64, 0x00, 0x1F}));
}

TEST(FlvVideo, AvcNaluWithPositiveAndNegativeCompositionTime) {
  Bytes body = {0x27, 0x01, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0x41};
  auto tag = parse_flv_video(body);
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->frame_type, FlvFrameType::inter);
  EXPECT_FALSE(tag->keyframe());
  EXPECT_EQ(tag->packet_type, FlvPacketType::coded_frames);
  EXPECT_EQ(tag->composition_time, 80);
  EXPECT_EQ(tag->payload.size(), 5u);

  Bytes negative = {0x27, 0x01, 0xFF, 0xFF, 0xD8};
  auto neg = parse_flv_video(negative);
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(neg->composition_time, -40);
  EXPECT_TRUE(neg->payload.empty());
}

TEST(FlvVideo, AvcEndOfSequence) {
  auto tag = parse_flv_video(Bytes{0x17, 0x02, 0, 0, 0});
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->packet_type, FlvPacketType::end_of_sequence);
}

TEST(FlvVideo, TruncatedAndInvalidHeaders) {
  EXPECT_FALSE(parse_flv_video(Bytes{}).ok());
  for (size_t n = 1; n < 5; ++n) {
    Bytes body = {0x17, 0x01, 0x00, 0x00, 0x00};
    body.resize(n);
    auto tag = parse_flv_video(body);
    ASSERT_FALSE(tag.ok()) << n;
    EXPECT_NE(tag.error().message.find("truncated"), std::string::npos);
  }
  auto bad_packet = parse_flv_video(Bytes{0x17, 0x03, 0, 0, 0});
  ASSERT_FALSE(bad_packet.ok());
  EXPECT_NE(bad_packet.error().message.find("AVC packet type 3"), std::string::npos);
  auto bad_frame = parse_flv_video(Bytes{0x07, 0x01, 0, 0, 0});
  ASSERT_FALSE(bad_frame.ok());
  EXPECT_NE(bad_frame.error().message.find("frame type 0"), std::string::npos);
  EXPECT_FALSE(parse_flv_video(Bytes{0x67, 0x01, 0, 0, 0}).ok());
}

TEST(FlvVideo, OtherLegacyCodecsAreReportedNotRejected) {
  auto vp6 = parse_flv_video(Bytes{0x14, 0xAA, 0xBB});
  ASSERT_TRUE(vp6.ok());
  EXPECT_EQ(vp6->codec, FlvVideoCodec::other);
  EXPECT_EQ(vp6->codec_id, 4);
  EXPECT_EQ(vp6->payload_offset, 1u);
  EXPECT_EQ(vp6->payload.size(), 2u);
}

TEST(FlvVideo, CommandFrameCarriesNoAvcHeader) {
  auto tag = parse_flv_video(Bytes{0x57, 0x01});
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->frame_type, FlvFrameType::command);
  EXPECT_EQ(tag->packet_type, FlvPacketType::other);
  EXPECT_EQ(tag->payload.size(), 1u);
}

TEST(FlvVideo, LegacyHevcCodecId12) {
  auto tag = parse_flv_video(Bytes{0x1C, 0x01, 0, 0, 0x21, 0xEE});
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->codec, FlvVideoCodec::hevc);
  EXPECT_EQ(tag->composition_time, 0x21);
}

TEST(FlvVideo, EnhancedHevcIsRecognised) {
  // IsExHeader | keyframe | SequenceStart, 'hvc1', config bytes.
  Bytes seq = {0x90, 'h', 'v', 'c', '1', 0x01, 0x02};
  auto tag = parse_flv_video(seq);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_TRUE(tag->enhanced);
  EXPECT_EQ(tag->fourcc, make_fourcc('h', 'v', 'c', '1'));
  EXPECT_EQ(tag->codec, FlvVideoCodec::hevc);
  EXPECT_TRUE(tag->keyframe());
  EXPECT_EQ(tag->packet_type, FlvPacketType::sequence_header);
  EXPECT_EQ(tag->payload_offset, 5u);

  // Inter frame, CodedFrames with a composition time.
  Bytes frames = {0xA1, 'h', 'v', 'c', '1', 0x00, 0x00, 0x28, 0x00, 0x00};
  auto f = parse_flv_video(frames);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->packet_type, FlvPacketType::coded_frames);
  EXPECT_EQ(f->composition_time, 40);
  EXPECT_EQ(f->payload_offset, 8u);

  // CodedFramesX: no composition time.
  auto x = parse_flv_video(Bytes{0xA3, 'h', 'v', 'c', '1', 0x00});
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->composition_time, 0);
  EXPECT_EQ(x->payload_offset, 5u);
}

TEST(FlvVideo, EnhancedAvcAv1AndUnknownFourcc) {
  auto avc = parse_flv_video(Bytes{0x91, 'a', 'v', 'c', '1', 0, 0, 0});
  ASSERT_TRUE(avc.ok());
  EXPECT_EQ(avc->codec, FlvVideoCodec::avc);
  EXPECT_EQ(avc->packet_type, FlvPacketType::coded_frames);
  auto av1 = parse_flv_video(Bytes{0x91, 'a', 'v', '0', '1', 0x12});
  ASSERT_TRUE(av1.ok());
  EXPECT_EQ(av1->codec, FlvVideoCodec::av1);
  EXPECT_EQ(av1->payload_offset, 5u);  // AV1 coded frames carry no composition time
  auto end = parse_flv_video(Bytes{0x92, 'v', 'p', '0', '9'});
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->codec, FlvVideoCodec::vp9);
  EXPECT_EQ(end->packet_type, FlvPacketType::end_of_sequence);
  auto unknown = parse_flv_video(Bytes{0x90, 'x', 'y', 'z', 'w'});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->codec, FlvVideoCodec::other);
  // Multitrack: no single FourCC.
  auto multi = parse_flv_video(Bytes{0x96, 0x00});
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->codec, FlvVideoCodec::other);
}

TEST(FlvVideo, EnhancedTruncated) {
  EXPECT_FALSE(parse_flv_video(Bytes{0x90, 'h', 'v'}).ok());
  EXPECT_FALSE(parse_flv_video(Bytes{0x91, 'h', 'v', 'c', '1', 0x00}).ok());
}

TEST(FlvAudio, AacSequenceHeaderAndRaw) {
  Bytes body = {0xAF, 0x00, 0x12, 0x10};  // the payload is a view: keep the body alive
  auto config = parse_flv_audio(body);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->codec, FlvAudioCodec::aac);
  EXPECT_EQ(config->sound_format, kFlvSoundFormatAac);
  EXPECT_EQ(config->sound_rate, 3);
  EXPECT_TRUE(config->sample_16bit);
  EXPECT_TRUE(config->stereo);
  EXPECT_EQ(config->packet_type, FlvPacketType::sequence_header);
  EXPECT_EQ(config->payload_offset, 2u);
  EXPECT_EQ(Bytes(config->payload.begin(), config->payload.end()), (Bytes{0x12, 0x10}));

  auto raw = parse_flv_audio(Bytes{0xAE, 0x01, 0x21});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->packet_type, FlvPacketType::coded_frames);
  EXPECT_FALSE(raw->stereo);
  EXPECT_EQ(raw->payload.size(), 1u);
}

TEST(FlvAudio, TruncatedAndInvalid) {
  EXPECT_FALSE(parse_flv_audio(Bytes{}).ok());
  auto no_type = parse_flv_audio(Bytes{0xAF});
  ASSERT_FALSE(no_type.ok());
  EXPECT_NE(no_type.error().message.find("truncated"), std::string::npos);
  auto bad = parse_flv_audio(Bytes{0xAF, 0x02});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("AAC packet type 2"), std::string::npos);
}

TEST(FlvAudio, OtherFormats) {
  auto mp3 = parse_flv_audio(Bytes{0x2F, 0xFF, 0xFB});
  ASSERT_TRUE(mp3.ok());
  EXPECT_EQ(mp3->codec, FlvAudioCodec::mp3);
  EXPECT_EQ(mp3->payload.size(), 2u);
  auto speex = parse_flv_audio(Bytes{0xB2, 0x00});
  ASSERT_TRUE(speex.ok());
  EXPECT_EQ(speex->codec, FlvAudioCodec::other);
  EXPECT_EQ(speex->sound_format, 11);
}

TEST(FlvAudio, EnhancedAudioFourcc) {
  auto opus = parse_flv_audio(Bytes{0x90, 'O', 'p', 'u', 's', 0x01});
  ASSERT_TRUE(opus.ok());
  EXPECT_EQ(opus->codec, FlvAudioCodec::opus);
  EXPECT_EQ(opus->packet_type, FlvPacketType::sequence_header);
  EXPECT_EQ(opus->payload_offset, 5u);
  auto aac = parse_flv_audio(Bytes{0x91, 'm', 'p', '4', 'a', 0x21});
  ASSERT_TRUE(aac.ok());
  EXPECT_EQ(aac->codec, FlvAudioCodec::aac);
  EXPECT_EQ(aac->packet_type, FlvPacketType::coded_frames);
  EXPECT_FALSE(parse_flv_audio(Bytes{0x90, 'O', 'p'}).ok());
}

}  // namespace
}  // namespace vela::format
