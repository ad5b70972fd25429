#include "transcode/ladder.hpp"

#include <gtest/gtest.h>

namespace vela::transcode {
namespace {

std::vector<PictureSize> sizes(const std::vector<PlannedRendition>& plan) {
  std::vector<PictureSize> out;
  for (const auto& r : plan) out.push_back(r.size);
  return out;
}

TEST(Ladder, DefaultLadderFor1080p30) {
  auto plan = plan_ladder({1920, 1080, 30}, default_ladder());
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0], (PlannedRendition{"source", true, {1920, 1080}, 0, 1, 30}));
  EXPECT_EQ(plan[1], (PlannedRendition{"720p", false, {1280, 720}, 2500, 1, 30}));
  EXPECT_EQ(plan[2], (PlannedRendition{"480p", false, {854, 480}, 1000, 1, 30}));
  EXPECT_EQ(plan[3], (PlannedRendition{"360p", false, {640, 360}, 600, 1, 30}));
}

TEST(Ladder, NeverUpscales) {
  // A 720p source: the 720p rung would only duplicate the passthrough.
  auto plan = plan_ladder({1280, 720, 30}, default_ladder());
  EXPECT_EQ(sizes(plan), (std::vector<PictureSize>{{1280, 720}, {854, 480}, {640, 360}}));
  // A tiny source gets only itself.
  EXPECT_EQ(sizes(plan_ladder({320, 240, 30}, default_ladder())), (std::vector<PictureSize>{{320, 240}}));
}

TEST(Ladder, KeepsAspectAndEvenSizes) {
  // 4:3 and portrait 9:16 sources; the rung height is the short side.
  EXPECT_EQ(sizes(plan_ladder({1440, 1080, 30}, default_ladder())),
            (std::vector<PictureSize>{{1440, 1080}, {960, 720}, {640, 480}, {480, 360}}));
  EXPECT_EQ(sizes(plan_ladder({1080, 1920, 30}, default_ladder())),
            (std::vector<PictureSize>{{1080, 1920}, {720, 1280}, {480, 854}, {360, 640}}));
  // Odd source dimensions: every planned size is even and inside the source.
  for (auto [w, h] : {std::pair{1279u, 719u}, {1917u, 1081u}, {853u, 481u}, {701u, 395u}}) {
    Ladder no_passthrough = default_ladder();
    no_passthrough.passthrough = false;
    for (const auto& r : plan_ladder({w, h, 30}, no_passthrough)) {
      EXPECT_EQ(r.size.width % 2, 0u) << w << "x" << h << " " << r.name;
      EXPECT_EQ(r.size.height % 2, 0u) << w << "x" << h << " " << r.name;
      EXPECT_LE(r.size.width, w);
      EXPECT_LE(r.size.height, h);
      double aspect = static_cast<double>(w) / h;
      EXPECT_NEAR(static_cast<double>(r.size.width) / r.size.height, aspect, 0.02) << r.name;
    }
  }
}

TEST(Ladder, WithoutPassthroughTheLargestRungTakesTheSourceSize) {
  Ladder ladder = default_ladder();
  ladder.passthrough = false;
  auto plan = plan_ladder({1280, 720, 30}, ladder);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].name, "720p");
  EXPECT_FALSE(plan[0].passthrough);
  EXPECT_EQ(plan[0].size, (PictureSize{1280, 720}));
  // A 600p source: 720p is capped at the source size, and only once.
  auto small = plan_ladder({1066, 600, 30}, ladder);
  EXPECT_EQ(sizes(small), (std::vector<PictureSize>{{1066, 600}, {852, 480}, {640, 360}}));
}

TEST(Ladder, CapsFrameRateOnTheSourceGrid) {
  auto plan = plan_ladder({1920, 1080, 60}, default_ladder());
  EXPECT_EQ(plan[0].frame_step, 1u);  // passthrough untouched
  EXPECT_DOUBLE_EQ(plan[0].frame_rate, 60);
  EXPECT_EQ(plan[1].frame_step, 2u);
  EXPECT_DOUBLE_EQ(plan[1].frame_rate, 30);
  EXPECT_EQ(plan_ladder({1920, 1080, 50}, default_ladder())[1].frame_rate, 25);
  EXPECT_EQ(plan_ladder({1920, 1080, 30000.0 / 1001}, default_ladder())[1].frame_step, 1u);
  EXPECT_EQ(plan_ladder({1920, 1080, 0}, default_ladder())[1].frame_step, 1u);  // unknown rate
}

TEST(Ladder, EmptySourceHasNoPlan) {
  EXPECT_TRUE(plan_ladder({0, 0, 30}, default_ladder()).empty());
}

TEST(Ladder, ValidationNamesTheProblem) {
  EXPECT_TRUE(validate_ladder(default_ladder()).ok());
  auto error_of = [](Ladder l) { return validate_ladder(l).error().message; };
  Ladder bad = default_ladder();
  bad.rungs[1].name = "720p";
  EXPECT_NE(error_of(bad).find("used twice"), std::string::npos);
  bad = default_ladder();
  bad.rungs[0].name = "Big Rung";
  EXPECT_NE(error_of(bad).find("Big Rung"), std::string::npos);
  bad = default_ladder();
  bad.rungs[2].height = 8;
  EXPECT_NE(error_of(bad).find("height"), std::string::npos);
  bad = default_ladder();
  bad.rungs[2].height = 361;
  EXPECT_NE(error_of(bad).find("even"), std::string::npos);
  bad = default_ladder();
  bad.rungs[2].video_kbps = 0;
  EXPECT_NE(error_of(bad).find("video_kbps"), std::string::npos);
  bad = default_ladder();
  bad.rungs[0].max_fps = 0;
  EXPECT_NE(error_of(bad).find("max_fps"), std::string::npos);
  EXPECT_FALSE(validate_ladder(Ladder{false, {}}).ok());
}

}  // namespace
}  // namespace vela::transcode
