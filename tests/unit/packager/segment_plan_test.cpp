#include "packager/segment_plan.hpp"

#include <gtest/gtest.h>

namespace vela::packager {
namespace {

TEST(SegmentPlan, FindsStartsByExactPts) {
  SegmentPlan plan;
  plan.add(0, 10);
  plan.add(180000, 11);
  plan.add(360000, 12);
  EXPECT_EQ(plan.msn_at(180000), 11u);
  EXPECT_EQ(plan.msn_at(360000), 12u);
  EXPECT_FALSE(plan.msn_at(179999).has_value());
  EXPECT_FALSE(plan.msn_at(400000).has_value());
}

TEST(SegmentPlan, ForgetsTheOldestAndStartsAfterAJumpBack) {
  SegmentPlan plan(2);
  plan.add(0, 1);
  plan.add(100, 2);
  plan.add(200, 3);
  EXPECT_FALSE(plan.msn_at(0).has_value());  // beyond capacity
  EXPECT_EQ(plan.msn_at(100), 2u);
  plan.add(50, 4);  // the source clock went back: later starts are stale
  EXPECT_FALSE(plan.msn_at(100).has_value());
  EXPECT_FALSE(plan.msn_at(200).has_value());
  EXPECT_EQ(plan.msn_at(50), 4u);
}

}  // namespace
}  // namespace vela::packager
