#include "transcode/scaler.hpp"

#include <gtest/gtest.h>

#include "h264_test_source.hpp"
#include "jpeg_test_util.hpp"

namespace vela::transcode {
namespace {

TEST(PlanThumbnailSize, KeepsAspectEvenAndNeverUpscales) {
  EXPECT_EQ(plan_thumbnail_size(640, 360, 320), (PictureSize{320, 180}));
  EXPECT_EQ(plan_thumbnail_size(1920, 1080, 320), (PictureSize{320, 180}));
  EXPECT_EQ(plan_thumbnail_size(720, 576, 320), (PictureSize{320, 256}));
  EXPECT_EQ(plan_thumbnail_size(360, 640, 320),
            (PictureSize{320, 568}));  // portrait: 568.9 -> 569 -> even
  EXPECT_EQ(plan_thumbnail_size(160, 90, 320), (PictureSize{160, 90}));  // smaller: as is
  EXPECT_EQ(plan_thumbnail_size(320, 180, 320), (PictureSize{320, 180}));
}

TEST(PlanThumbnailSize, OddSourcesAndLimitsGiveEvenSizes) {
  EXPECT_EQ(plan_thumbnail_size(321, 181, 320), (PictureSize{320, 180}));
  EXPECT_EQ(plan_thumbnail_size(99, 51, 320), (PictureSize{98, 50}));
  EXPECT_EQ(plan_thumbnail_size(641, 359, 321), (PictureSize{320, 180}));
  EXPECT_EQ(plan_thumbnail_size(4000, 10, 320), (PictureSize{320, 2}));  // at least 2
  EXPECT_EQ(plan_thumbnail_size(0, 360, 320), (PictureSize{}));
  EXPECT_EQ(plan_thumbnail_size(640, 360, 0), (PictureSize{}));
}

TEST(Scaler, ScalesToFullRangeYuv420AndReusesItsContext) {
  Scaler scaler;
  AvFramePtr source = test::two_colour_picture(640, 360, test::kBlack, test::kRed);
  for (PictureSize size : {PictureSize{320, 180}, PictureSize{320, 180}, PictureSize{160, 90}}) {
    auto scaled = scaler.scale(*source, size);
    ASSERT_TRUE(scaled.ok()) << scaled.error().message;
    EXPECT_EQ((*scaled)->width, static_cast<int>(size.width));
    EXPECT_EQ((*scaled)->height, static_cast<int>(size.height));
    EXPECT_EQ((*scaled)->format, AV_PIX_FMT_YUV420P);
    EXPECT_EQ((*scaled)->color_range, AVCOL_RANGE_JPEG);
    int w = static_cast<int>(size.width);
    int h = static_cast<int>(size.height);
    EXPECT_NEAR(test::mean_sample(**scaled, 0, w / 4, h / 2, 4), 0, 1.5);  // black: 16 -> 0
    EXPECT_NEAR(test::mean_sample(**scaled, 0, 3 * w / 4, h / 2, 4), test::full_luma(test::kRed.y),
                1.5);
    EXPECT_NEAR(test::mean_sample(**scaled, 2, 3 * w / 8, h / 4, 4),
                test::full_chroma(test::kRed.v), 2);
  }
}

TEST(Scaler, RefusesEmptyPictures) {
  Scaler scaler;
  AvFramePtr empty(av_frame_alloc());
  auto scaled = scaler.scale(*empty, {320, 180});
  ASSERT_FALSE(scaled.ok());
  EXPECT_NE(scaled.error().message.find("scaler"), std::string::npos);
  AvFramePtr source = test::two_colour_picture(64, 64, test::kBlack, test::kRed);
  EXPECT_FALSE(scaler.scale(*source, {0, 0}).ok());
}

}  // namespace
}  // namespace vela::transcode
