#include "transcode/keyframe_alignment.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vela::transcode {
namespace {

TEST(KeyframeCadence, FollowsTheSourceByDefault) {
  KeyframeCadence cadence;
  EXPECT_TRUE(cadence.starts_gop(0, true));
  EXPECT_FALSE(cadence.starts_gop(3000, false));
  EXPECT_TRUE(cadence.starts_gop(6000, true));
}

TEST(KeyframeCadence, FixedIntervalIgnoresTheSource) {
  KeyframeCadence cadence(180000);  // 2 s at 90 kHz
  std::vector<int64_t> gop_starts;
  // 30 fps frames with source keyframes every 1.5 s (which the fixed cadence ignores).
  for (int i = 0; i < 200; ++i) {
    int64_t pts = 1000 + i * 3000;
    if (cadence.starts_gop(pts, i % 45 == 0)) gop_starts.push_back(pts);
  }
  EXPECT_EQ(gop_starts, (std::vector<int64_t>{1000, 181000, 361000, 541000}));
}

TEST(KeyframeCadence, RenditionsGetIdenticalDecisions) {
  // Decided once per source frame: two cadences fed the same frames agree everywhere.
  KeyframeCadence a(90000), b(90000);
  for (int i = 0; i < 500; ++i) {
    int64_t pts = i * 3003;
    EXPECT_EQ(a.starts_gop(pts, i % 60 == 0), b.starts_gop(pts, i % 60 == 0));
  }
}

TEST(FrameSelector, KeepsEveryNthAndAlwaysGopStarts) {
  FrameSelector half(2);
  std::vector<int> kept;
  for (int i = 0; i < 12; ++i) {
    bool gop = i == 0 || i == 5;  // an odd position: must still be kept
    if (half.keep(gop)) kept.push_back(i);
  }
  EXPECT_EQ(kept, (std::vector<int>{0, 2, 4, 5, 7, 9, 11}));
  FrameSelector all(1);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(all.keep(false));
  FrameSelector zero(0);  // treated as 1
  EXPECT_TRUE(zero.keep(false));
  EXPECT_TRUE(zero.keep(false));
}

}  // namespace
}  // namespace vela::transcode
