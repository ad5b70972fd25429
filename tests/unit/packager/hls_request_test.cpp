#include "packager/hls_request.hpp"

#include <gtest/gtest.h>

#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

using test::add_parts;
using test::add_segment;
using test::make_timeline;

DeliveryDirectives parse_ok(std::string_view query) {
  auto directives = parse_delivery_directives(query);
  EXPECT_TRUE(directives.ok()) << query;
  return directives.ok() ? *directives : DeliveryDirectives{};
}

DeliveryDirectives blocking(uint64_t msn, std::optional<uint32_t> part = std::nullopt) {
  DeliveryDirectives directives;
  directives.msn = msn;
  directives.part = part;
  return directives;
}

ObjectRef part_ref(uint64_t msn, uint32_t index) {
  ObjectRef ref;
  ref.kind = ObjectKind::part;
  ref.rendition = "video";
  ref.msn = msn;
  ref.part = index;
  return ref;
}

ObjectRef segment_ref(uint64_t msn) {
  ObjectRef ref;
  ref.kind = ObjectKind::segment;
  ref.rendition = "video";
  ref.msn = msn;
  return ref;
}

ObjectRef init_ref(uint64_t id) {
  ObjectRef ref;
  ref.kind = ObjectKind::init;
  ref.rendition = "video";
  ref.init_id = id;
  return ref;
}

// Segments 10-12 complete (four 0.5 s parts, target 2 s); segment 13 has parts 0 and 1.
LiveTimeline live_timeline(LiveTimelineConfig config = {}) {
  LiveTimeline timeline = make_timeline(std::move(config));
  for (uint64_t msn = 10; msn < 13; ++msn) add_segment(timeline, msn);
  add_parts(timeline, 13, 0, 2);
  return timeline;
}

// The same, with segment 13 complete at four parts.
LiveTimeline between_segments() {
  LiveTimeline timeline = live_timeline();
  add_parts(timeline, 13, 2, 2);
  EXPECT_TRUE(timeline.end_segment({13, 2.0, false}).ok());
  return timeline;
}

// --- parsing

TEST(HlsRequestParse, NoDirectives) {
  for (std::string_view query : {"", "&", "token=abc", "a=1&&b", "_hls_msn=3", "x=_HLS_msn=3"}) {
    DeliveryDirectives directives = parse_ok(query);
    EXPECT_FALSE(directives.msn) << query;
    EXPECT_FALSE(directives.part) << query;
    EXPECT_EQ(directives.skip, SkipDirective::none) << query;
  }
}

TEST(HlsRequestParse, Directives) {
  DeliveryDirectives directives = parse_ok("_HLS_msn=273&_HLS_part=2&_HLS_skip=YES");
  EXPECT_EQ(directives.msn, 273u);
  EXPECT_EQ(directives.part, 2u);
  EXPECT_EQ(directives.skip, SkipDirective::yes);

  directives = parse_ok("token=x&_HLS_skip=v2&_HLS_msn=0&cb=123");
  EXPECT_EQ(directives.msn, 0u);
  EXPECT_FALSE(directives.part);
  EXPECT_EQ(directives.skip, SkipDirective::v2);

  EXPECT_EQ(parse_ok("_HLS_msn=007").msn, 7u);
  EXPECT_EQ(parse_ok("_HLS_msn=9007199254740991").msn, kMaxSequenceNumber);
  EXPECT_EQ(parse_ok("_HLS_msn=1&_HLS_part=9999").part, kMaxPartIndex);
  EXPECT_EQ(parse_ok("_HLS_future=whatever&_HLS_msn=1").msn, 1u);
}

TEST(HlsRequestParse, RejectsMalformedDirectives) {
  for (std::string_view query : {
           "_HLS_part=1",                // part without msn (6.2.5.2: 400)
           "_HLS_part=1&_HLS_skip=YES",  //
           "_HLS_msn",
           "_HLS_msn=",
           "_HLS_msn=abc",
           "_HLS_msn=-1",
           "_HLS_msn=+1",
           "_HLS_msn=1.0",
           "_HLS_msn=1e3",
           "_HLS_msn=0x10",
           "_HLS_msn= 1",
           "_HLS_msn=1%20",
           "_HLS_msn=9007199254740992",
           "_HLS_msn=18446744073709551616",
           "_HLS_msn=99999999999999999999999999",
           "_HLS_msn=1&_HLS_part=10000",
           "_HLS_msn=1&_HLS_part=",
           "_HLS_msn=1&_HLS_part=x",
           "_HLS_msn=1&_HLS_msn=1",
           "_HLS_msn=1&_HLS_part=1&_HLS_part=2",
           "_HLS_skip=yes",
           "_HLS_skip=NO",
           "_HLS_skip=",
           "_HLS_skip",
           "_HLS_skip=V2",
           "_HLS_skip=YES&_HLS_skip=YES",
       }) {
    EXPECT_FALSE(parse_delivery_directives(query).ok()) << query;
  }
}

// --- playlists

TEST(HlsRequestPlaylist, WaitsForTheFirstPart) {
  LiveTimeline timeline = make_timeline();
  EXPECT_EQ(resolve_playlist(timeline, {}), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(5, 0)), Resolution::wait);
  timeline.end_stream();
  EXPECT_EQ(resolve_playlist(timeline, {}), Resolution::not_found);
}

TEST(HlsRequestPlaylist, WithoutDirectivesIsReady) {
  EXPECT_EQ(resolve_playlist(live_timeline(), {}), Resolution::ready);
}

TEST(HlsRequestPlaylist, BlockingOnASegment) {
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_playlist(timeline, blocking(12)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(10)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(3)), Resolution::ready) << "long gone: ready";
  EXPECT_EQ(resolve_playlist(timeline, blocking(13)), Resolution::wait) << "in progress";
  EXPECT_EQ(resolve_playlist(timeline, blocking(14)), Resolution::wait) << "last + 2";
  EXPECT_EQ(resolve_playlist(timeline, blocking(15)), Resolution::bad_request);
  EXPECT_EQ(resolve_playlist(timeline, blocking(kMaxSequenceNumber)), Resolution::bad_request);
}

TEST(HlsRequestPlaylist, BlockingOnAPart) {
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_playlist(timeline, blocking(13, 0)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(13, 1)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(13, 2)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(12, 3)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(4, 0)), Resolution::ready) << "evicted: ready";
}

TEST(HlsRequestPlaylist, PartPastTheEndOfACompleteSegmentIsPartZeroOfTheNext) {
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_playlist(timeline, blocking(12, 4)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(12, 9999)), Resolution::ready);

  LiveTimeline between = between_segments();
  EXPECT_EQ(resolve_playlist(between, blocking(13, 4)), Resolution::wait);
  ASSERT_TRUE(between.add_part(test::make_part(14, 0)).ok());
  EXPECT_EQ(resolve_playlist(between, blocking(13, 4)), Resolution::ready);
}

TEST(HlsRequestPlaylist, AdvancePartLimit) {
  // PART-TARGET 0.5 s: the limit is 3 / 0.5 = 6 parts past the last part (13.1).
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_playlist(timeline, blocking(13, 7)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(13, 8)), Resolution::bad_request);
  // Segment 14's parts count after the ~2 parts left of segment 13 (4 per segment).
  EXPECT_EQ(resolve_playlist(timeline, blocking(14, 0)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(14, 3)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(14, 4)), Resolution::bad_request);

  LiveTimeline between = between_segments();  // last part 13.3, next 14.0
  EXPECT_EQ(resolve_playlist(between, blocking(14, 5)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(between, blocking(14, 6)), Resolution::bad_request);
  EXPECT_EQ(resolve_playlist(between, blocking(15, 1)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(between, blocking(15, 2)), Resolution::bad_request);
  EXPECT_EQ(resolve_playlist(between, blocking(15)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(between, blocking(16)), Resolution::bad_request);
}

TEST(HlsRequestPlaylist, AdvancePartLimitIsThreePartsForLongParts) {
  LiveTimelineConfig config;
  config.part_target_s = 1;
  LiveTimeline timeline = make_timeline(config);
  add_parts(timeline, 0, 0, 1, 1.0);
  EXPECT_EQ(resolve_playlist(timeline, blocking(0, 3)), Resolution::wait);
  EXPECT_EQ(resolve_playlist(timeline, blocking(0, 4)), Resolution::bad_request);
}

TEST(HlsRequestPlaylist, EndedPlaylistIgnoresDirectives) {
  LiveTimeline timeline = live_timeline();
  timeline.end_stream();
  EXPECT_EQ(resolve_playlist(timeline, blocking(14, 2)), Resolution::ready);
  EXPECT_EQ(resolve_playlist(timeline, blocking(kMaxSequenceNumber)), Resolution::ready);
}

TEST(HlsRequestPlaylist, WaitingRequestBecomesReadyAsPartsArrive) {
  LiveTimeline timeline = live_timeline();
  DeliveryDirectives next = blocking(13, 2);
  EXPECT_EQ(resolve_playlist(timeline, next), Resolution::wait);
  add_parts(timeline, 13, 2, 1);
  EXPECT_EQ(resolve_playlist(timeline, next), Resolution::ready);
}

TEST(HlsRequestPlaylist, DeltaUpdates) {
  LiveTimeline timeline = live_timeline();
  DeliveryDirectives skip = parse_ok("_HLS_skip=YES");
  EXPECT_TRUE(wants_delta_update(timeline, skip));
  EXPECT_TRUE(wants_delta_update(timeline, parse_ok("_HLS_skip=v2")));
  EXPECT_FALSE(wants_delta_update(timeline, {}));

  LiveTimelineConfig config;
  config.delta_updates = false;
  EXPECT_FALSE(wants_delta_update(live_timeline(config), skip));
  timeline.end_stream();
  EXPECT_FALSE(wants_delta_update(timeline, skip));
}

TEST(HlsRequestPlaylist, BlocksForAtMostThreeTargetDurations) {
  EXPECT_DOUBLE_EQ(max_block_s(live_timeline()), 6.0);
}

// --- media objects

TEST(HlsRequestMedia, Parts) {
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 1)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, part_ref(10, 0)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 2)), Resolution::wait) << "the hinted part";
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 3)), Resolution::wait) << "the one after";
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 0)), Resolution::wait) << "next segment";
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 4)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 1)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(12, 4)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(99, 0)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(9, 0)), Resolution::gone);
}

TEST(HlsRequestMedia, HintedPartThatNeverCame) {
  LiveTimeline timeline = live_timeline();
  add_parts(timeline, 13, 2, 2);
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 4)), Resolution::wait);
  // The segment ended at four parts: part 13.4 will not exist (6.2.6: 404).
  ASSERT_TRUE(timeline.end_segment({13, 2.0, false}).ok());
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 4)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 0)), Resolution::wait);
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 1)), Resolution::wait);
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 2)), Resolution::not_found);
}

TEST(HlsRequestMedia, Segments) {
  LiveTimeline timeline = live_timeline();
  EXPECT_EQ(resolve_media(timeline, segment_ref(12)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, segment_ref(13)), Resolution::wait) << "in progress";
  EXPECT_EQ(resolve_media(timeline, segment_ref(14)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, segment_ref(9)), Resolution::gone);

  LiveTimeline between = between_segments();
  EXPECT_EQ(resolve_media(between, segment_ref(13)), Resolution::ready);
  EXPECT_EQ(resolve_media(between, segment_ref(14)), Resolution::wait) << "next to start";
  EXPECT_EQ(resolve_media(between, segment_ref(15)), Resolution::not_found);
}

TEST(HlsRequestMedia, EvictedObjectsAreGone) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  config.retained_segments = 1;
  LiveTimeline timeline = make_timeline(config);
  for (uint64_t msn = 0; msn < 10; ++msn) add_segment(timeline, msn);
  EXPECT_EQ(resolve_media(timeline, segment_ref(5)), Resolution::gone);
  EXPECT_EQ(resolve_media(timeline, part_ref(5, 0)), Resolution::gone);
  EXPECT_EQ(resolve_media(timeline, segment_ref(6)), Resolution::ready) << "delisted, retained";
  EXPECT_EQ(resolve_media(timeline, part_ref(6, 3)), Resolution::ready);
}

TEST(HlsRequestMedia, StreamEndResolvesWaiters) {
  LiveTimeline timeline = live_timeline();
  timeline.end_stream();
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 1)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, segment_ref(13)), Resolution::ready) << "closed at end";
  EXPECT_EQ(resolve_media(timeline, part_ref(13, 2)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, part_ref(14, 0)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, segment_ref(14)), Resolution::not_found);
}

TEST(HlsRequestMedia, InitSegments) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  config.retained_segments = 1;
  LiveTimeline timeline = make_timeline(config);
  EXPECT_EQ(resolve_media(timeline, init_ref(0)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, init_ref(1)), Resolution::not_found);
  add_segment(timeline, 0);
  ASSERT_TRUE(timeline.set_init(base::Buffer::copy_of("new init")).ok());
  for (uint64_t msn = 1; msn < 6; ++msn) add_segment(timeline, msn);
  EXPECT_EQ(resolve_media(timeline, init_ref(0)), Resolution::gone);
  EXPECT_EQ(resolve_media(timeline, init_ref(1)), Resolution::ready);
  EXPECT_EQ(resolve_media(timeline, init_ref(2)), Resolution::not_found);

  LiveTimeline empty({});
  EXPECT_EQ(resolve_media(empty, init_ref(0)), Resolution::not_found);
}

TEST(HlsRequestMedia, NothingBeforeTheFirstPart) {
  LiveTimeline timeline = make_timeline();
  EXPECT_EQ(resolve_media(timeline, part_ref(0, 0)), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, segment_ref(0)), Resolution::not_found);
}

TEST(HlsRequestMedia, PlaylistsAreNotMedia) {
  LiveTimeline timeline = live_timeline();
  ObjectRef playlist;
  playlist.kind = ObjectKind::media_playlist;
  playlist.rendition = "video";
  EXPECT_EQ(resolve_media(timeline, playlist), Resolution::not_found);
  EXPECT_EQ(resolve_media(timeline, ObjectRef{}), Resolution::not_found);
}

// --- headers

TEST(HlsRequestHeaders, ContentTypesAndCaching) {
  for (ObjectKind kind : {ObjectKind::multivariant, ObjectKind::media_playlist}) {
    EXPECT_EQ(response_headers(kind, false).content_type, "application/vnd.apple.mpegurl");
    EXPECT_EQ(response_headers(kind, false).cache_control, "public, max-age=1");
  }
  EXPECT_EQ(response_headers(ObjectKind::media_playlist, true).cache_control, "public, max-age=6");
  for (ObjectKind kind : {ObjectKind::init, ObjectKind::segment, ObjectKind::part}) {
    EXPECT_EQ(response_headers(kind, false).content_type, "video/mp4");
    EXPECT_EQ(response_headers(kind, false).cache_control, "public, max-age=31536000, immutable");
  }
  EXPECT_EQ(kErrorCacheControl, "no-store");
}

}  // namespace
}  // namespace vela::packager
