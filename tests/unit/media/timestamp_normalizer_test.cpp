#include "media/timestamp_normalizer.hpp"

#include <gtest/gtest.h>

namespace vela::media {

TEST(TimestampNormalizer, SharesOneOriginAcrossTracks) {
  TimestampNormalizer n;
  n.add_track(1, 90000, 0);
  n.add_track(2, 48000, 1024);
  auto v = n.normalize(1, 5000, 0, 1'000'000);
  auto a = n.normalize(2, 5010, 0, 1'000'005);
  ASSERT_TRUE(v && a);
  EXPECT_EQ(v->dts, 0);
  EXPECT_EQ(a->dts, 480);  // 10 ms after the video, in 48 kHz ticks
  EXPECT_EQ(v->wall_clock_us, 1'000'000);
  EXPECT_EQ(a->wall_clock_us, 1'010'000);
  EXPECT_FALSE(n.normalize(3, 0, 0, 0));  // unknown track
}

TEST(TimestampNormalizer, RescalesCompositionOffsets) {
  TimestampNormalizer n;
  n.add_track(1, 90000, 0);
  auto v = n.normalize(1, 0, 67, 0);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->cts, 6030);
}

TEST(TimestampNormalizer, SnapsAacToWholeFrames) {
  TimestampNormalizer n;
  n.add_track(2, 44100, 1024);
  // 1024 samples at 44.1 kHz = 23.22 ms; RTMP rounds to 23 or 24 ms.
  int64_t ms[] = {0, 23, 46, 70, 93, 116};
  int64_t expected = 0;
  for (int64_t t : ms) {
    auto a = n.normalize(2, t, 0, 0);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->dts, expected);
    expected += 1024;
  }
}

TEST(TimestampNormalizer, MarksJumpsAndKeepsDtsIncreasing) {
  TimestampNormalizer n;
  n.add_track(1, 90000, 0);
  ASSERT_EQ(n.normalize(1, 1000, 0, 0)->dts, 0);
  ASSERT_EQ(n.normalize(1, 1033, 0, 0)->dts, 2970);
  auto jumped = n.normalize(1, 900'000, 0, 0);  // source clock jumped 15 minutes
  ASSERT_TRUE(jumped);
  EXPECT_TRUE(jumped->discontinuity);
  EXPECT_EQ(jumped->dts, 5940);  // one usual interval (33 ms) after the last frame
  auto next = n.normalize(1, 900'033, 0, 0);
  EXPECT_FALSE(next->discontinuity);
  EXPECT_EQ(next->dts, 8910);
  auto backwards = n.normalize(1, 900'020, 0, 0);  // a small step back is clamped
  EXPECT_EQ(backwards->dts, 8911);
}

}  // namespace vela::media
