#include "base/time.hpp"

#include <gtest/gtest.h>

namespace vela::base {

TEST(Rescale, ExactForLargeValues) {
  EXPECT_EQ(rescale(1000, 1000, 90000), 90000);
  EXPECT_EQ(rescale(int64_t{1} << 40, 1000, 90000), (int64_t{1} << 40) * 90);
  EXPECT_EQ(rescale(1, 3, 2), 0);
  EXPECT_EQ(rescale(-1, 3, 2), -1);  // floor, not truncation
}

TEST(ClockUnwrapper, UnwrapsThirtyTwoBitMilliseconds) {
  ClockUnwrapper u(32);
  EXPECT_EQ(u.unwrap(0xFFFFFF00u), 0xFFFFFF00ll);
  EXPECT_EQ(u.unwrap(0x00000010u), 0x100000010ll);  // wrapped forward
  EXPECT_EQ(u.unwrap(0xFFFFFFF0u), 0xFFFFFFF0ll);   // small reorder back across the wrap
  EXPECT_EQ(u.unwrap(0x00000020u), 0x100000020ll);
}

TEST(ClockUnwrapper, ThirtyThreeBitMpegTs) {
  ClockUnwrapper u(33);
  int64_t range = int64_t{1} << 33;
  EXPECT_EQ(u.unwrap(range - 90000), range - 90000);
  EXPECT_EQ(u.unwrap(90000), range + 90000);
}
}  // namespace vela::base
