#include "transcode/overload_policy.hpp"

#include <gtest/gtest.h>

namespace vela::transcode {
namespace {

// Feeds 30 fps frames for `seconds` at a constant lag; GOP start every 60 frames.
struct FrameFeed {
  OverloadPolicy& policy;
  double now = 0;
  int frame = 0;
  int dropped = 0, shed = 0, restored = 0;

  void at_lag(double lag, double seconds) {
    for (double end = now + seconds; now < end; now += 1.0 / 30, ++frame) {
      auto d = policy.on_frame(lag, now, frame % 60 == 0);
      dropped += d.drop_frame;
      shed += d.shed;
      restored += d.restore;
    }
  }
};

TEST(OverloadPolicy, NoLagNoAction) {
  OverloadPolicy policy(4, {});
  FrameFeed run{policy};
  run.at_lag(0.0, 60);
  EXPECT_EQ(run.dropped + run.shed + run.restored, 0);
  EXPECT_EQ(policy.shed(), 0u);
}

TEST(OverloadPolicy, ShortLagDropsFramesButKeepsRenditions) {
  OverloadPolicy policy(4, {});
  FrameFeed run{policy};
  run.at_lag(0.7, 2);  // above the drop threshold, below the shed threshold
  EXPECT_GT(run.dropped, 50);
  EXPECT_EQ(run.shed, 0);
  run.at_lag(0.0, 1);
  int before = run.dropped;
  run.at_lag(0.0, 5);
  EXPECT_EQ(run.dropped, before);
}

TEST(OverloadPolicy, GopStartsAreNeverDropped) {
  OverloadPolicy policy(2, {});
  EXPECT_FALSE(policy.on_frame(5.0, 0, true).drop_frame);
  EXPECT_TRUE(policy.on_frame(5.0, 0.03, false).drop_frame);
}

TEST(OverloadPolicy, ShedsMostExpensiveFirstOneAtATimeAndKeepsOne) {
  OverloadPolicy policy(3, {});
  FrameFeed run{policy};
  run.at_lag(2.0, 3.5);
  EXPECT_EQ(policy.shed(), 1u);
  EXPECT_FALSE(policy.running(0));
  EXPECT_TRUE(policy.running(1));
  run.at_lag(2.0, 3.5);
  EXPECT_EQ(policy.shed(), 2u);
  run.at_lag(2.0, 30);
  EXPECT_EQ(policy.shed(), 2u);  // the last rendition always runs
  EXPECT_TRUE(policy.running(2));
  EXPECT_EQ(run.shed, 2);
}

TEST(OverloadPolicy, RecoversSlowlyAtGopStarts) {
  OverloadPolicy policy(3, {});
  FrameFeed run{policy};
  run.at_lag(2.0, 7);
  ASSERT_EQ(policy.shed(), 2u);
  run.at_lag(0.05, 10);
  EXPECT_EQ(policy.shed(), 2u);  // not yet: recover_after_s is 15 s
  run.at_lag(0.05, 7);
  EXPECT_EQ(policy.shed(), 1u);
  run.at_lag(0.05, 16);
  EXPECT_EQ(policy.shed(), 0u);
  EXPECT_EQ(run.restored, 2);
  // A lag in between (neither healthy nor overloaded) holds the current state.
  run.at_lag(2.0, 3.5);
  ASSERT_EQ(policy.shed(), 1u);
  run.at_lag(0.4, 60);
  EXPECT_EQ(policy.shed(), 1u);
}

}  // namespace
}  // namespace vela::transcode
