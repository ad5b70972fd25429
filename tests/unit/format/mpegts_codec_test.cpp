#include <gtest/gtest.h>

#include "format/mpegts/adts.hpp"
#include "format/mpegts/annex_b.hpp"
#include "format/mpegts/stream_type.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "unit/format/mpegts_test_util.hpp"

namespace vela::format::mpegts {
namespace {

using test::Bytes;

TEST(MpegtsAnnexB, SplitsOnThreeAndFourByteStartCodes) {
  Bytes au = {0xAA, 0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67, 1, 2,
              0,    0, 0, 0, 1, 0x65, 0,    0, 3, 1, 0,    0};
  auto nals = split_annex_b(au);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(Bytes(nals[0].begin(), nals[0].end()), (Bytes{0x09, 0xF0}));
  EXPECT_EQ(Bytes(nals[1].begin(), nals[1].end()), (Bytes{0x67, 1, 2}));
  EXPECT_EQ(Bytes(nals[2].begin(), nals[2].end()),
            (Bytes{0x65, 0, 0, 3, 1}));  // emulation prevention kept
  EXPECT_TRUE(split_annex_b(Bytes{}).empty());
  EXPECT_TRUE(split_annex_b(Bytes{0, 0, 1}).empty());
  EXPECT_TRUE(split_annex_b(Bytes{1, 2, 3, 0, 0}).empty());
}

TEST(MpegtsAnnexB, BuildsAnAvccThatTheH264ParserAccepts) {
  auto avcc = build_avcc({test::kSps}, {test::kPps});
  ASSERT_TRUE(avcc.ok());
  // Same bytes as libx264's own record (RTMP sequence header) for these parameter sets.
  Bytes expected = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x1a};
  expected.insert(expected.end(), test::kSps.begin(), test::kSps.end());
  expected.insert(expected.end(), {0x01, 0x00, 0x06});
  expected.insert(expected.end(), test::kPps.begin(), test::kPps.end());
  EXPECT_EQ(*avcc, expected);
  auto track = media::codec::make_h264_track(1, base::Buffer::copy_of(*avcc));
  ASSERT_TRUE(track.ok()) << track.error().message;
  EXPECT_EQ(track->width, 1280u);
  EXPECT_EQ(track->codec_string, "avc1.64001f");
  EXPECT_FALSE(build_avcc({}, {test::kPps}).ok());
  EXPECT_FALSE(build_avcc({Bytes{0x67}}, {test::kPps}).ok());
}

TEST(MpegtsAdts, ParsesHeaderAndBuildsAudioSpecificConfig) {
  Bytes frame = test::adts_frame(Bytes(10, 0x21));
  auto header = parse_adts_header(frame);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->object_type, 2);
  EXPECT_EQ(header->sampling_index, 3);
  EXPECT_EQ(header->channel_config, 2);
  EXPECT_EQ(header->header_size, 7u);
  EXPECT_EQ(header->frame_length, 17u);
  auto asc = adts_audio_specific_config(*header);
  EXPECT_EQ(asc[0], 0x11);
  EXPECT_EQ(asc[1], 0x90);
  auto track = media::codec::make_aac_track(2, base::Buffer::copy_of(asc));
  ASSERT_TRUE(track.ok());
  EXPECT_EQ(track->sample_rate, 48000u);
  EXPECT_EQ(track->channels, 2u);
}

TEST(MpegtsAdts, RejectsMalformedHeaders) {
  Bytes frame = test::adts_frame(Bytes(10, 0x21));
  for (size_t n = 0; n < 7; ++n) EXPECT_FALSE(parse_adts_header(std::span(frame).first(n)).ok());
  Bytes no_sync = frame;
  no_sync[1] = 0x01;
  EXPECT_FALSE(parse_adts_header(no_sync).ok());
  Bytes bad_rate = test::adts_frame(Bytes(10, 0), 13);
  EXPECT_FALSE(parse_adts_header(bad_rate).ok());
  Bytes short_length = frame;
  short_length[4] = 0;
  short_length[5] &= 0x1F;
  EXPECT_FALSE(parse_adts_header(short_length).ok());
  Bytes blocks = frame;
  blocks[6] |= 0x01;
  EXPECT_FALSE(parse_adts_header(blocks).ok());
  Bytes with_crc = frame;
  with_crc[1] = 0xF0;
  ASSERT_TRUE(parse_adts_header(with_crc).ok());
  EXPECT_EQ(parse_adts_header(with_crc)->header_size, 9u);
}

TEST(MpegtsStreamType, ClassifiesCodecs) {
  EXPECT_EQ(classify_stream(0x1B, std::nullopt), StreamCodec::h264);
  EXPECT_EQ(classify_stream(0x24, std::nullopt), StreamCodec::hevc);
  EXPECT_EQ(classify_stream(0x0F, std::nullopt), StreamCodec::aac_adts);
  EXPECT_EQ(classify_stream(0x06, fourcc('O', 'p', 'u', 's')), StreamCodec::opus);
  EXPECT_EQ(classify_stream(0x06, std::nullopt), StreamCodec::other);
  EXPECT_EQ(classify_stream(0x86, std::nullopt), StreamCodec::scte35);
  EXPECT_EQ(codec_name(StreamCodec::hevc), "HEVC");
}

}  // namespace
}  // namespace vela::format::mpegts
