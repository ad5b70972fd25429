#include "transcode/thumbnail.hpp"

#include <gtest/gtest.h>

#include "h264_test_source.hpp"
#include "jpeg_test_util.hpp"
#include "transcode/h264_decoder.hpp"
#include "transcode/jpeg_encoder.hpp"

namespace vela::transcode {
namespace {

using test::decode_jpeg;
using test::encode_keyframe;
using test::full_chroma;
using test::full_luma;
using test::mean_sample;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Thumbnail, KeyframeBecomesJpegOfPlannedSizeWithSourceColours) {
  auto key = encode_keyframe(640, 360, test::kBlack, test::kRed);
  auto thumbnail = make_thumbnail(key.track, key.frame, 320);
  ASSERT_TRUE(thumbnail.ok()) << thumbnail.error().message;
  EXPECT_EQ(thumbnail->width, 320u);
  EXPECT_EQ(thumbnail->height, 180u);
  EXPECT_EQ(thumbnail->captured_wall_us, key.frame.wall_clock_us);
  auto bytes = thumbnail->jpeg.span();
  ASSERT_GT(bytes.size(), 4u);
  EXPECT_EQ(bytes[0], 0xFF);  // SOI
  EXPECT_EQ(bytes[1], 0xD8);
  EXPECT_EQ(bytes[bytes.size() - 2], 0xFF);  // EOI
  EXPECT_EQ(bytes[bytes.size() - 1], 0xD9);

  AvFramePtr decoded = decode_jpeg(thumbnail->jpeg);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->width, 320);
  EXPECT_EQ(decoded->height, 180);
  // Full range: the limited-range source was expanded (black is 0, not 16).
  EXPECT_NEAR(mean_sample(*decoded, 0, 80, 90), full_luma(test::kBlack.y), 4);
  EXPECT_NEAR(mean_sample(*decoded, 0, 240, 90), full_luma(test::kRed.y), 6);
  EXPECT_NEAR(mean_sample(*decoded, 1, 120, 45), full_chroma(test::kRed.u), 8);
  EXPECT_NEAR(mean_sample(*decoded, 2, 120, 45), full_chroma(test::kRed.v), 8);
  EXPECT_NEAR(mean_sample(*decoded, 2, 40, 45), 128, 4);
}

TEST(Thumbnail, SmallerSourceIsNotUpscaled) {
  auto key = encode_keyframe(160, 96);
  auto thumbnail = make_thumbnail(key.track, key.frame, 320);
  ASSERT_TRUE(thumbnail.ok()) << thumbnail.error().message;
  AvFramePtr decoded = decode_jpeg(thumbnail->jpeg);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->width, 160);
  EXPECT_EQ(decoded->height, 96);
}

TEST(Thumbnail, NarrowTargetKeepsAspectWithEvenHeight) {
  // 1280x720 scaled to 250 wide: 140.6 high, rounded to 140.
  auto key = encode_keyframe(1280, 720);
  auto thumbnail = make_thumbnail(key.track, key.frame, 250);
  ASSERT_TRUE(thumbnail.ok()) << thumbnail.error().message;
  AvFramePtr decoded = decode_jpeg(thumbnail->jpeg);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->width, 250);
  EXPECT_EQ(decoded->height, 140);
}

TEST(H264KeyframeDecoder, EachKeyframeGivesItsOwnPicture) {
  auto black = encode_keyframe(320, 180, test::kBlack, test::kBlack);
  auto red = encode_keyframe(320, 180, test::kRed, test::kRed);
  auto decoder = H264KeyframeDecoder::open(black.track.codec_config.span());
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  for (int round = 0; round < 2; ++round) {
    auto first = decoder->decode(black.frame.payload.span());
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_NEAR(mean_sample(**first, 0, 160, 90), test::kBlack.y, 3);
    // Same SPS/PPS ids and sizes, different picture: nothing of the first leaks in.
    auto second = decoder->decode(red.frame.payload.span());
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NEAR(mean_sample(**second, 0, 160, 90), test::kRed.y, 3);
  }
}

TEST(H264KeyframeDecoder, CorruptInputIsAClearError) {
  auto key = encode_keyframe(320, 180);
  auto decoder = H264KeyframeDecoder::open(key.track.codec_config.span());
  ASSERT_TRUE(decoder.ok());

  std::vector<uint8_t> garbage(500);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37 + 11);
  auto bad = decoder->decode(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(contains(bad.error().message, "H.264 decoder")) << bad.error().message;

  // The IDR cut short: its length prefix runs past the data.
  auto truncated = key.frame.payload.span().first(key.frame.payload.size() / 2);
  EXPECT_FALSE(decoder->decode(truncated).ok());
  EXPECT_FALSE(decoder->decode({}).ok());

  // The decoder still works after the errors.
  EXPECT_TRUE(decoder->decode(key.frame.payload.span()).ok());

  auto no_config = H264KeyframeDecoder::open({});
  ASSERT_FALSE(no_config.ok());
  EXPECT_TRUE(contains(no_config.error().message, "avcC")) << no_config.error().message;
  auto bad_config = H264KeyframeDecoder::open(std::span<const uint8_t>(garbage).first(40));
  ASSERT_FALSE(bad_config.ok());
  EXPECT_TRUE(contains(bad_config.error().message, "H.264 decoder")) << bad_config.error().message;
}

TEST(Thumbnail, RefusesNonH264TracksAndCorruptFrames) {
  auto key = encode_keyframe(320, 180);
  media::TrackInfo audio = key.track;
  audio.kind = media::MediaKind::audio;
  audio.codec = media::Codec::aac;
  auto wrong = make_thumbnail(audio, key.frame, 320);
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(contains(wrong.error().message, "not H.264")) << wrong.error().message;

  // Framing intact, the IDR slice's data scrambled after its first bytes.
  media::MediaFrame corrupt = key.frame;
  std::vector<uint8_t> bytes(key.frame.payload.span().begin(), key.frame.payload.span().end());
  media::codec::AvccNalIterator nals(bytes);
  while (auto nal = nals.next()) {
    if (media::codec::nal_type((*nal)[0]) != media::codec::kNalIdr) continue;
    size_t begin = static_cast<size_t>(nal->data() - bytes.data()) + 3;
    for (size_t i = begin; i < begin + nal->size() - 3; ++i) bytes[i] ^= 0xA5;
  }
  corrupt.payload = base::Buffer::adopt(std::move(bytes));
  auto broken = make_thumbnail(key.track, corrupt, 320);
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(contains(broken.error().message, "H.264 decoder")) << broken.error().message;
}

TEST(JpegEncoder, RefusesLimitedRangePictures) {
  AvFramePtr picture = test::two_colour_picture(64, 64, test::kBlack, test::kRed);
  auto jpeg = encode_jpeg(*picture);
  ASSERT_FALSE(jpeg.ok());
  EXPECT_TRUE(contains(jpeg.error().message, "full-range")) << jpeg.error().message;
}

}  // namespace
}  // namespace vela::transcode
