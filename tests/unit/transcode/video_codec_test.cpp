#include <gtest/gtest.h>

#include "h264_test_source.hpp"
#include "transcode/scaler.hpp"
#include "transcode/video_decoder.hpp"
#include "transcode/video_encoder.hpp"

namespace vela::transcode {
namespace {

TEST(H264Encoder, KeyframesExactlyWhereForcedAndNoParameterSetsInFrames) {
  auto encoder = H264Encoder::open({.size = {320, 180}, .video_kbps = 300, .frame_rate = 30});
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  auto config = media::codec::parse_avc_config(encoder->avcc().span());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(encoder->codec_string(),
            media::codec::avc_codec_string(config->profile, config->compatibility, config->level));
  auto decoder = H264StreamDecoder::open(encoder->avcc().span());
  ASSERT_TRUE(decoder.ok());

  std::vector<int64_t> keyframes, decoded;
  for (int i = 0; i < 40; ++i) {
    auto picture = test::two_colour_picture(320, 180, {static_cast<uint8_t>(16 + i * 5), 128, 128}, test::kRed);
    picture->pts = 1000 + i * 3000;
    bool idr = i == 0 || i == 7 || i == 31;  // irregular on purpose
    auto encoded = encoder->encode(*picture, idr);
    ASSERT_TRUE(encoded.ok()) << encoded.error().message;
    EXPECT_EQ(encoded->pts, picture->pts);  // out at once, same timestamp
    if (encoded->keyframe) keyframes.push_back(i);
    media::codec::AvccNalIterator nals(encoded->access_unit.span());
    while (auto nal = nals.next()) {
      uint8_t type = media::codec::nal_type((*nal)[0]);
      EXPECT_NE(type, media::codec::kNalSps);
      EXPECT_NE(type, media::codec::kNalPps);
      if (encoded->keyframe) {
        EXPECT_NE(type, media::codec::kNalSlice);
      }
    }
    EXPECT_FALSE(nals.failed());
    auto idr_in_frame = media::codec::contains_idr(encoded->access_unit.span());
    ASSERT_TRUE(idr_in_frame.ok());
    EXPECT_EQ(*idr_in_frame, encoded->keyframe);
    ASSERT_TRUE(decoder->decode(encoded->access_unit.span(), encoded->pts, encoded->pts,
                                [&](const AVFrame& p) { decoded.push_back(p.pts); })
                    .ok());
  }
  EXPECT_EQ(keyframes, (std::vector<int64_t>{0, 7, 31}));
  EXPECT_EQ(decoded.size(), 39u);  // all but the one the decoder's thread holds back
}

TEST(H264Encoder, RefusesAnUnknownPreset) {
  auto encoder = H264Encoder::open({.size = {320, 180}, .video_kbps = 300, .frame_rate = 30, .preset = "warp"});
  ASSERT_FALSE(encoder.ok());
  EXPECT_NE(encoder.error().message.find("warp"), std::string::npos) << encoder.error().message;
}

TEST(Scaler, LimitedRangeKeepsVideoLevelsFullRangeExpandsThem) {
  auto black = test::two_colour_picture(64, 36, test::kBlack, test::kBlack);  // Y = 16
  Scaler limited(YuvRange::limited);
  auto small = limited.scale(*black, {32, 18});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->color_range, AVCOL_RANGE_MPEG);
  EXPECT_NEAR((*small)->data[0][0], 16, 1);
  Scaler full;
  auto jpeg = full.scale(*black, {32, 18});
  ASSERT_TRUE(jpeg.ok());
  EXPECT_EQ((*jpeg)->color_range, AVCOL_RANGE_JPEG);
  EXPECT_NEAR((*jpeg)->data[0][0], 0, 1);
}

}  // namespace
}  // namespace vela::transcode
