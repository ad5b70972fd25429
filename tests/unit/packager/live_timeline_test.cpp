#include "packager/live_timeline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

using test::add_parts;
using test::add_segment;
using test::make_part;
using test::make_timeline;

ObjectRef segment_ref(uint64_t msn) {
  ObjectRef ref;
  ref.kind = ObjectKind::segment;
  ref.msn = msn;
  return ref;
}

ObjectRef part_ref(uint64_t msn, uint32_t index) {
  ObjectRef ref;
  ref.kind = ObjectKind::part;
  ref.msn = msn;
  ref.part = index;
  return ref;
}

ObjectRef init_ref(uint64_t id) {
  ObjectRef ref;
  ref.kind = ObjectKind::init;
  ref.init_id = id;
  return ref;
}

TEST(LiveTimeline, InitIdsStartAtTheConfiguredFirstId) {
  LiveTimelineConfig config;
  config.first_init_id = 1'795'484'574'462;  // a session's start millisecond
  LiveTimeline timeline(config);
  EXPECT_FALSE(timeline.has_init());
  ASSERT_TRUE(timeline.set_init(base::Buffer::copy_of("init a")).ok());
  EXPECT_TRUE(timeline.has_init());
  EXPECT_EQ(timeline.current_init_id(), config.first_init_id);
  ASSERT_TRUE(timeline.set_init(base::Buffer::copy_of("init b")).ok());
  EXPECT_EQ(timeline.current_init_id(), config.first_init_id + 1);
  EXPECT_EQ(timeline.oldest_init_id(), config.first_init_id + 1);  // no segment used the first
}

TEST(LiveTimeline, StartsEmpty) {
  LiveTimeline timeline({});
  EXPECT_FALSE(timeline.has_media());
  EXPECT_FALSE(timeline.has_init());
  EXPECT_FALSE(timeline.ended());
  EXPECT_FALSE(timeline.last_part());
  EXPECT_FALSE(timeline.last_complete_msn());
  EXPECT_EQ(timeline.target_duration_s(), 1u);
  EXPECT_DOUBLE_EQ(timeline.part_target_s(), 0.5);
}

TEST(LiveTimeline, TracksPartsAndSegments) {
  LiveTimeline timeline = make_timeline();
  add_parts(timeline, 100, 0, 2);
  EXPECT_TRUE(timeline.has_media());
  EXPECT_EQ(timeline.media_sequence(), 100u);
  EXPECT_EQ(timeline.last_part(), (PartPosition{100, 1}));
  EXPECT_EQ(timeline.next_part(), (PartPosition{100, 2}));
  EXPECT_EQ(timeline.open_msn(), 100u);
  EXPECT_FALSE(timeline.last_complete_msn());

  EXPECT_TRUE(timeline.end_segment({100, 1.0, false}).ok());
  EXPECT_EQ(timeline.last_complete_msn(), 100u);
  EXPECT_EQ(timeline.next_part(), (PartPosition{101, 0}));
  EXPECT_EQ(timeline.open_msn(), 101u);

  add_parts(timeline, 101, 0, 1);
  EXPECT_EQ(timeline.last_complete_msn(), 100u);
  EXPECT_EQ(timeline.last_part(), (PartPosition{101, 0}));

  const TimelineSegment* first = timeline.find_segment(100);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->complete);
  EXPECT_EQ(first->parts.size(), 2u);
  EXPECT_TRUE(first->parts[0].independent);
  EXPECT_EQ(first->wall_clock_us, test::kWallClockBaseUs + 200'000'000);
  EXPECT_EQ(timeline.find_segment(102), nullptr);
  EXPECT_EQ(timeline.find_segment(99), nullptr);
}

TEST(LiveTimeline, RejectsOutOfOrderFeeding) {
  LiveTimeline empty({});
  EXPECT_FALSE(empty.add_part(make_part(0, 0)).ok()) << "part before init";
  EXPECT_FALSE(empty.set_init(base::Buffer()).ok()) << "empty init";

  LiveTimeline timeline = make_timeline();
  EXPECT_FALSE(timeline.add_part(make_part(5, 1)).ok()) << "segment must start at part 0";
  EXPECT_FALSE(timeline.end_segment({5, 1.0, false}).ok()) << "nothing in progress";
  add_parts(timeline, 5, 0, 2);
  EXPECT_FALSE(timeline.add_part(make_part(5, 1)).ok()) << "repeated index";
  EXPECT_FALSE(timeline.add_part(make_part(5, 3)).ok()) << "skipped index";
  EXPECT_FALSE(timeline.add_part(make_part(6, 0)).ok()) << "next segment before end";
  EXPECT_FALSE(timeline.end_segment({4, 1.0, false}).ok()) << "wrong msn";
  EXPECT_TRUE(timeline.end_segment({5, 1.0, false}).ok());
  EXPECT_FALSE(timeline.end_segment({5, 1.0, false}).ok()) << "ended twice";
  EXPECT_FALSE(timeline.add_part(make_part(7, 0)).ok()) << "msn gap";
  EXPECT_FALSE(timeline.add_part(make_part(5, 2)).ok()) << "into a complete segment";
  EXPECT_TRUE(timeline.add_part(make_part(6, 0)).ok());
  EXPECT_EQ(timeline.last_part(), (PartPosition{6, 0}));
}

TEST(LiveTimeline, RejectsBadValues) {
  LiveTimeline timeline = make_timeline();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double duration : {0.0, -0.5, nan, inf, kMaxMediaDurationS + 1}) {
    EXPECT_FALSE(timeline.add_part(make_part(0, 0, duration)).ok()) << duration;
  }
  CmafPart empty = make_part(0, 0);
  empty.data = base::Buffer();
  EXPECT_FALSE(timeline.add_part(empty).ok());
  EXPECT_FALSE(timeline.add_part(make_part(kMaxSequenceNumber + 1, 0)).ok());
  EXPECT_FALSE(timeline.has_media());

  add_parts(timeline, 0, 0, 1);
  EXPECT_FALSE(timeline.add_part(make_part(0, kMaxPartIndex + 1)).ok());
  for (double duration : {0.0, nan, inf, -1.0}) {
    EXPECT_FALSE(timeline.end_segment({0, duration, false}).ok()) << duration;
  }
  EXPECT_FALSE(timeline.find_segment(0)->complete);
}

TEST(LiveTimeline, TargetDurationRoundsToNearestAndNeverDecreases) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 0, 4, 0.6);  // 2.4 s
  EXPECT_EQ(timeline.target_duration_s(), 2u);
  add_segment(timeline, 1, 5, 0.52);  // 2.6 s
  EXPECT_EQ(timeline.target_duration_s(), 3u);
  add_segment(timeline, 2, 2, 0.5);
  EXPECT_EQ(timeline.target_duration_s(), 3u);
}

TEST(LiveTimeline, TargetDurationCoversTheSegmentInProgress) {
  LiveTimeline timeline = make_timeline();
  add_parts(timeline, 0, 0, 8);  // 4 s so far
  EXPECT_EQ(timeline.target_duration_s(), 4u);
}

TEST(LiveTimeline, ConfiguredTargetsAreLowerBounds) {
  LiveTimelineConfig config;
  config.target_duration_s = 4;
  config.part_target_s = 0.333;
  LiveTimeline timeline = make_timeline(config);
  add_segment(timeline, 0, 4, 0.3);
  EXPECT_EQ(timeline.target_duration_s(), 4u);
  EXPECT_DOUBLE_EQ(timeline.part_target_s(), 0.333);
}

TEST(LiveTimeline, PartTargetGrowsToTheLongestPart) {
  LiveTimeline timeline = make_timeline();
  add_parts(timeline, 0, 0, 1, 0.5);
  EXPECT_DOUBLE_EQ(timeline.part_target_s(), 0.5);
  add_parts(timeline, 0, 1, 1, 0.5204);
  EXPECT_DOUBLE_EQ(timeline.part_target_s(), 0.521);  // rounded up to the millisecond
  add_parts(timeline, 0, 2, 1, 0.4);
  EXPECT_DOUBLE_EQ(timeline.part_target_s(), 0.521);
}

TEST(LiveTimeline, SlidesTheWindowAndKeepsDelistedSegmentsFetchable) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  config.retained_segments = 2;
  LiveTimeline timeline = make_timeline(config);
  for (uint64_t msn = 10; msn < 20; ++msn) add_segment(timeline, msn);  // 2 s each
  EXPECT_EQ(timeline.target_duration_s(), 2u);
  EXPECT_EQ(timeline.media_sequence(), 17u);        // 17, 18, 19 listed
  EXPECT_EQ(timeline.segments().front().msn, 15u);  // 15, 16 retained
  EXPECT_EQ(timeline.segments().size(), 5u);

  EXPECT_TRUE(timeline.object_data(segment_ref(15)));
  EXPECT_TRUE(timeline.object_data(part_ref(16, 3)));
  EXPECT_FALSE(timeline.object_data(segment_ref(14)));
  EXPECT_FALSE(timeline.object_data(part_ref(14, 0)));
}

TEST(LiveTimeline, KeepsThreeTargetDurationsListed) {
  LiveTimelineConfig config;
  config.target_duration_s = 4;
  config.window_segments = 3;
  LiveTimeline timeline = make_timeline(config);
  for (uint64_t msn = 0; msn < 20; ++msn) add_segment(timeline, msn, 2);  // 1 s each
  // Removing one more would leave 11 s < 3 x 4 s.
  EXPECT_EQ(timeline.media_sequence(), 8u);
}

TEST(LiveTimeline, ClampsTheWindow) {
  LiveTimelineConfig config;
  config.window_segments = 0;
  config.retained_segments = 0;
  LiveTimeline timeline = make_timeline(config);
  EXPECT_EQ(timeline.config().window_segments, 3u);
  EXPECT_EQ(timeline.config().retained_segments, 1u);
  for (uint64_t msn = 0; msn < 10; ++msn) add_segment(timeline, msn);
  EXPECT_EQ(timeline.media_sequence(), 7u);
  EXPECT_EQ(timeline.segments().front().msn, 6u);
}

TEST(LiveTimeline, CountsDiscontinuitiesThatLeaveThePlaylist) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  LiveTimeline timeline = make_timeline(config);
  add_segment(timeline, 0);
  add_segment(timeline, 1, 4, 0.5, true);
  add_segment(timeline, 2);
  add_segment(timeline, 3, 4, 0.5, true);
  EXPECT_EQ(timeline.media_sequence(), 1u);
  EXPECT_EQ(timeline.discontinuity_sequence(), 0u);
  add_segment(timeline, 4);
  EXPECT_EQ(timeline.media_sequence(), 2u);
  EXPECT_EQ(timeline.discontinuity_sequence(), 1u);
  add_segment(timeline, 5);
  add_segment(timeline, 6);
  EXPECT_EQ(timeline.media_sequence(), 4u);
  EXPECT_EQ(timeline.discontinuity_sequence(), 2u);
}

TEST(LiveTimeline, SegmentBytesAreItsPartsSharedNotCopied) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 3, 3);
  auto segment = timeline.object_data(segment_ref(3));
  ASSERT_TRUE(segment);
  ASSERT_EQ(segment->size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*segment)[i].text(), test::part_bytes(3, i).text());
    auto part = timeline.object_data(part_ref(3, i));
    ASSERT_TRUE(part);
    ASSERT_EQ(part->size(), 1u);
    EXPECT_EQ((*part)[0].data(), (*segment)[i].data());
  }
  EXPECT_FALSE(timeline.object_data(part_ref(3, 3)));
}

TEST(LiveTimeline, SegmentInProgressHasPartsButNoSegmentBytes) {
  LiveTimeline timeline = make_timeline();
  add_parts(timeline, 0, 0, 2);
  EXPECT_FALSE(timeline.object_data(segment_ref(0)));
  EXPECT_TRUE(timeline.object_data(part_ref(0, 1)));
  ObjectRef playlist;
  playlist.kind = ObjectKind::media_playlist;
  EXPECT_FALSE(timeline.object_data(playlist));
}

TEST(LiveTimeline, InitSegmentsAreVersioned) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  config.retained_segments = 1;
  LiveTimeline timeline(config);
  EXPECT_TRUE(timeline.set_init(base::Buffer::copy_of("init A")).ok());
  EXPECT_TRUE(timeline.set_init(base::Buffer::copy_of("init A")).ok());
  EXPECT_EQ(timeline.current_init_id(), 0u) << "same bytes, same init";
  add_segment(timeline, 0);
  EXPECT_TRUE(timeline.set_init(base::Buffer::copy_of("init B")).ok());
  EXPECT_EQ(timeline.current_init_id(), 1u);
  add_segment(timeline, 1, 4, 0.5, true);
  EXPECT_EQ(timeline.find_segment(0)->init_id, 0u);
  EXPECT_EQ(timeline.find_segment(1)->init_id, 1u);
  EXPECT_EQ((*timeline.object_data(init_ref(0)))[0].text(), "init A");
  EXPECT_EQ((*timeline.object_data(init_ref(1)))[0].text(), "init B");
  EXPECT_FALSE(timeline.object_data(init_ref(2)));

  // Once no retained segment uses init 0 it goes.
  for (uint64_t msn = 2; msn < 5; ++msn) add_segment(timeline, msn);
  EXPECT_EQ(timeline.segments().front().msn, 1u);
  EXPECT_EQ(timeline.oldest_init_id(), 1u);
  EXPECT_FALSE(timeline.object_data(init_ref(0)));
}

TEST(LiveTimeline, InitsWithoutMediaDoNotPileUp) {
  LiveTimeline timeline({});
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(timeline.set_init(base::Buffer::copy_of("init " + std::to_string(i))).ok());
  }
  EXPECT_EQ(timeline.current_init_id(), 9u);
  EXPECT_EQ(timeline.oldest_init_id(), 9u);
}

TEST(LiveTimeline, EndStreamClosesTheSegmentInProgress) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 0);
  add_parts(timeline, 1, 0, 3, 0.4);
  timeline.end_stream();
  EXPECT_TRUE(timeline.ended());
  const TimelineSegment* last = timeline.find_segment(1);
  ASSERT_NE(last, nullptr);
  EXPECT_TRUE(last->complete);
  EXPECT_NEAR(last->duration_s, 1.2, 1e-9);
  EXPECT_EQ(timeline.last_complete_msn(), 1u);
  EXPECT_TRUE(timeline.object_data(segment_ref(1)));

  EXPECT_FALSE(timeline.add_part(make_part(2, 0)).ok());
  EXPECT_FALSE(timeline.end_segment({1, 1.0, false}).ok());
  EXPECT_FALSE(timeline.set_init(base::Buffer::copy_of("x")).ok());
  timeline.end_stream();
  EXPECT_TRUE(timeline.ended());
}

TEST(LiveTimeline, SameInputsSameState) {
  auto build = [] {
    LiveTimelineConfig config;
    config.window_segments = 4;
    LiveTimeline timeline = make_timeline(config);
    for (uint64_t msn = 0; msn < 9; ++msn) add_segment(timeline, msn, 3, 0.6, msn == 5);
    add_parts(timeline, 9, 0, 2, 0.6);
    return timeline;
  };
  LiveTimeline a = build();
  LiveTimeline b = build();
  EXPECT_EQ(a.media_sequence(), b.media_sequence());
  EXPECT_EQ(a.discontinuity_sequence(), b.discontinuity_sequence());
  EXPECT_EQ(a.target_duration_s(), b.target_duration_s());
  EXPECT_EQ(a.segments().size(), b.segments().size());
  EXPECT_EQ(a.last_part(), b.last_part());
}

}  // namespace
}  // namespace vela::packager
