#include "packager/hls_playlist.hpp"

#include <gtest/gtest.h>

#include <string>

#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

using test::add_parts;
using test::add_segment;
using test::attribute;
using test::find_line;
using test::lines_of;
using test::make_timeline;
using test::with_prefix;

// Four complete 2 s segments (0-3) of four 0.5 s parts, and segment 4 with two parts.
LiveTimeline live_timeline(LiveTimelineConfig config = {}) {
  LiveTimeline timeline = make_timeline(std::move(config));
  for (uint64_t msn = 0; msn < 4; ++msn) add_segment(timeline, msn);
  add_parts(timeline, 4, 0, 2);
  return timeline;
}

MediaPlaylistOptions delta() {
  MediaPlaylistOptions options;
  options.delta_update = true;
  return options;
}

std::vector<std::string> render_lines(const LiveTimeline& timeline,
                                      const MediaPlaylistOptions& options = {}) {
  return lines_of(render_media_playlist(timeline, options));
}

TEST(HlsPlaylist, DiscontinuityIsListedWithTheSegmentsFirstPart) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 10);
  CmafPart first = test::make_part(11, 0, 0.5, test::kWallClockBaseUs + 30'000'000);
  first.discontinuity = true;
  ASSERT_TRUE(timeline.add_part(first).ok());
  std::string playlist = render_media_playlist(timeline);
  auto discontinuity = playlist.find("#EXT-X-DISCONTINUITY\n");
  ASSERT_NE(discontinuity, std::string::npos);  // before segment 11 is complete
  EXPECT_LT(discontinuity, playlist.find("part11.0.m4s"));
  EXPECT_GT(discontinuity, playlist.find("seg10.m4s"));
}

TEST(HlsPlaylist, Header) {
  auto lines = render_lines(live_timeline());
  ASSERT_GE(lines.size(), 7u);
  EXPECT_EQ(lines[0], "#EXTM3U");
  EXPECT_EQ(lines[1], "#EXT-X-VERSION:9");
  EXPECT_EQ(lines[2], "#EXT-X-TARGETDURATION:2");
  const std::string& control = lines[3];
  ASSERT_TRUE(control.starts_with("#EXT-X-SERVER-CONTROL:"));
  EXPECT_EQ(attribute(control, "CAN-BLOCK-RELOAD"), "YES");
  EXPECT_EQ(attribute(control, "PART-HOLD-BACK"), "1.500");
  EXPECT_EQ(attribute(control, "CAN-SKIP-UNTIL"), "12.000");
  EXPECT_EQ(attribute(control, "HOLD-BACK"), "");
  EXPECT_EQ(lines[4], "#EXT-X-PART-INF:PART-TARGET=0.500");
  EXPECT_EQ(lines[5], "#EXT-X-MEDIA-SEQUENCE:0");
  EXPECT_EQ(find_line(lines, "#EXT-X-DISCONTINUITY"), lines.size());
  EXPECT_EQ(find_line(lines, "#EXT-X-ENDLIST"), lines.size());
}

TEST(HlsPlaylist, WithoutDeltaUpdatesIsVersion6AndNeverSkips) {
  LiveTimelineConfig config;
  config.delta_updates = false;
  auto lines = render_lines(live_timeline(config), delta());
  EXPECT_EQ(lines[1], "#EXT-X-VERSION:6");
  EXPECT_EQ(attribute(lines[3], "CAN-SKIP-UNTIL"), "");
  EXPECT_EQ(find_line(lines, "#EXT-X-SKIP"), lines.size());
}

TEST(HlsPlaylist, SegmentsPartsAndPreloadHint) {
  auto lines = render_lines(live_timeline());
  auto maps = with_prefix(lines, "#EXT-X-MAP:");
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(attribute(maps[0], "URI"), "\"video/init0.mp4\"");

  auto extinf = with_prefix(lines, "#EXTINF:");
  ASSERT_EQ(extinf.size(), 4u);
  for (const std::string& line : extinf) EXPECT_EQ(line, "#EXTINF:2.000,");
  for (uint64_t msn = 0; msn < 4; ++msn) {
    size_t uri = find_line(lines, "video/seg" + std::to_string(msn) + ".m4s");
    ASSERT_LT(uri, lines.size());
    EXPECT_TRUE(lines[uri - 1].starts_with("#EXTINF:"));
  }
  EXPECT_EQ(find_line(lines, "video/seg4.m4s"), lines.size()) << "in progress: no URI yet";

  // Segment 0 ends 7 s before the end (> 3 target durations): its parts are gone.
  EXPECT_EQ(find_line(lines, "#EXT-X-PART:DURATION=0.500,URI=\"video/part0."), lines.size());
  auto parts = with_prefix(lines, "#EXT-X-PART:");
  ASSERT_EQ(parts.size(), 3u * 4 + 2);
  EXPECT_EQ(parts.front(), "#EXT-X-PART:DURATION=0.500,URI=\"video/part1.0.m4s\",INDEPENDENT=YES");
  EXPECT_EQ(parts[1], "#EXT-X-PART:DURATION=0.500,URI=\"video/part1.1.m4s\"");
  EXPECT_EQ(parts.back(), "#EXT-X-PART:DURATION=0.500,URI=\"video/part4.1.m4s\"");

  // The trailing parts of segment 4 come after segment 3, then the hint.
  size_t seg3 = find_line(lines, "video/seg3.m4s");
  EXPECT_LT(seg3, find_line(lines, "#EXT-X-PART:DURATION=0.500,URI=\"video/part4.0.m4s\""));
  EXPECT_EQ(lines[lines.size() - 1], "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"video/part4.2.m4s\"");
}

TEST(HlsPlaylist, PreloadHintAfterACompleteSegmentIsPartZeroOfTheNext) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 7);
  auto hints = with_prefix(render_lines(timeline), "#EXT-X-PRELOAD-HINT:");
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(attribute(hints[0], "TYPE"), "PART");
  EXPECT_EQ(attribute(hints[0], "URI"), "\"video/part8.0.m4s\"");
}

TEST(HlsPlaylist, SegmentTagsPrecedeItsFirstPart) {
  auto lines = render_lines(live_timeline());
  for (uint64_t msn : {1, 2, 3, 4}) {
    std::string pdt =
        "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:2" + std::to_string(msn * 2) + ".000Z";
    size_t date = find_line(lines, pdt);
    size_t first_part = find_line(
        lines, "#EXT-X-PART:DURATION=0.500,URI=\"video/part" + std::to_string(msn) + ".0");
    ASSERT_LT(date, lines.size()) << pdt;
    EXPECT_EQ(first_part, date + 1) << msn;
  }
  // The map is the first segment tag of the first segment.
  size_t map = find_line(lines, "#EXT-X-MAP:");
  EXPECT_EQ(lines[map + 1], "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.000Z");
  EXPECT_EQ(lines[map + 2], "#EXTINF:2.000,");
}

TEST(HlsPlaylist, NoProgramDateTimeWithoutAWallClock) {
  LiveTimeline timeline = make_timeline();
  ASSERT_TRUE(timeline.add_part(test::make_part(0, 0, 0.5, 0)).ok());
  EXPECT_EQ(with_prefix(render_lines(timeline), "#EXT-X-PROGRAM-DATE-TIME").size(), 0u);
}

TEST(HlsPlaylist, PartsStayWithinThreeTargetDurations) {
  LiveTimeline timeline = make_timeline();
  for (uint64_t msn = 0; msn < 6; ++msn) add_segment(timeline, msn);
  auto lines = render_lines(timeline);
  // 6 complete segments, no trailing parts: segment 2 ends exactly 3 target durations
  // before the end (kept: not greater), segment 1 more.
  auto parts = with_prefix(lines, "#EXT-X-PART:");
  ASSERT_EQ(parts.size(), 16u);
  EXPECT_EQ(attribute(parts.front(), "URI"), "\"video/part2.0.m4s\"");
  EXPECT_EQ(with_prefix(lines, "#EXTINF:").size(), 6u);
}

TEST(HlsPlaylist, NoPartIsLongerThanThePartTarget) {
  LiveTimelineConfig config;
  config.part_target_s = 0.333;
  LiveTimeline timeline = make_timeline(config);
  add_parts(timeline, 0, 0, 3, 0.3336);
  add_parts(timeline, 0, 3, 1, 0.2);
  auto lines = render_lines(timeline);
  EXPECT_EQ(lines[4], "#EXT-X-PART-INF:PART-TARGET=0.334");
  for (const std::string& part : with_prefix(lines, "#EXT-X-PART:")) {
    EXPECT_LE(std::stod(attribute(part, "DURATION")), 0.334) << part;
  }
}

TEST(HlsPlaylist, EveryUriLineFollowsItsExtinf) {
  // What a client without LL-HLS reads: EXTINF + URI pairs.
  auto lines = render_lines(live_timeline());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("#EXTINF:")) {
      ASSERT_LT(i + 1, lines.size());
      EXPECT_FALSE(lines[i + 1].starts_with("#")) << lines[i + 1];
    } else if (!lines[i].starts_with("#")) {
      EXPECT_TRUE(lines[i - 1].starts_with("#EXTINF:")) << lines[i];
    }
  }
}

TEST(HlsPlaylist, EndedPlaylist) {
  LiveTimeline timeline = live_timeline();
  timeline.end_stream();
  auto lines = render_lines(timeline, delta());
  EXPECT_EQ(lines.back(), "#EXT-X-ENDLIST");
  EXPECT_EQ(find_line(lines, "#EXT-X-PRELOAD-HINT"), lines.size());
  EXPECT_EQ(find_line(lines, "#EXT-X-SKIP"), lines.size());
  auto extinf = with_prefix(lines, "#EXTINF:");
  ASSERT_EQ(extinf.size(), 5u);
  EXPECT_EQ(extinf.back(), "#EXTINF:1.000,");
  EXPECT_LT(find_line(lines, "video/seg4.m4s"), lines.size());
}

TEST(HlsPlaylist, DeltaUpdateSkipsSegmentsBeyondTheSkipBoundary) {
  LiveTimelineConfig config;
  config.window_segments = 20;
  LiveTimeline timeline = make_timeline(config);
  for (uint64_t msn = 0; msn < 20; ++msn) add_segment(timeline, msn);
  add_parts(timeline, 20, 0, 1);
  std::string full = render_media_playlist(timeline);
  auto lines = lines_of(render_media_playlist(timeline, delta()));

  // Boundary 12 s: segments 0-12 end more than 12 s before the end of segment 19.
  size_t skip = find_line(lines, "#EXT-X-SKIP:");
  ASSERT_LT(skip, lines.size());
  EXPECT_EQ(lines[skip], "#EXT-X-SKIP:SKIPPED-SEGMENTS=13");
  EXPECT_EQ(lines[skip - 1], "#EXT-X-MEDIA-SEQUENCE:0") << "the sequence does not move";
  EXPECT_EQ(lines[skip + 1], "#EXT-X-MAP:URI=\"video/init0.mp4\"");
  EXPECT_EQ(lines[skip + 2], "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:46.000Z");
  EXPECT_EQ(find_line(lines, "video/seg12.m4s"), lines.size());
  EXPECT_LT(find_line(lines, "video/seg13.m4s"), lines.size());
  EXPECT_EQ(with_prefix(lines, "#EXTINF:").size(), 7u);
  EXPECT_EQ(with_prefix(lines, "#EXT-X-PART:").size(),
            with_prefix(lines_of(full), "#EXT-X-PART:").size());
  EXPECT_EQ(lines.back(), "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"video/part20.1.m4s\"");
  EXPECT_EQ(find_line(lines_of(full), "#EXT-X-SKIP"), lines_of(full).size());
}

TEST(HlsPlaylist, DeltaUpdateOfAShortPlaylistSkipsNothing) {
  auto lines = render_lines(live_timeline(), delta());
  EXPECT_EQ(with_prefix(lines, "#EXT-X-SKIP:"),
            std::vector<std::string>{"#EXT-X-SKIP:SKIPPED-SEGMENTS=0"});
  EXPECT_EQ(with_prefix(lines, "#EXTINF:").size(), 4u);
}

TEST(HlsPlaylist, Discontinuities) {
  LiveTimelineConfig config;
  config.window_segments = 3;
  LiveTimeline timeline = make_timeline(config);
  add_segment(timeline, 0);
  add_segment(timeline, 1, 4, 0.5, true);
  add_segment(timeline, 2);
  add_segment(timeline, 3, 4, 0.5, true);
  add_segment(timeline, 4);
  auto lines = render_lines(timeline);
  EXPECT_EQ(lines[5], "#EXT-X-MEDIA-SEQUENCE:2");
  EXPECT_EQ(lines[6], "#EXT-X-DISCONTINUITY-SEQUENCE:1");
  auto tags = with_prefix(lines, "#EXT-X-DISCONTINUITY");
  ASSERT_EQ(tags.size(), 2u);
  size_t tag = find_line(lines, "#EXT-X-DISCONTINUITY", 7);
  EXPECT_EQ(lines[tag], "#EXT-X-DISCONTINUITY");
  EXPECT_GT(tag, find_line(lines, "video/seg2.m4s"));
  EXPECT_EQ(lines[tag + 1], "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:26.000Z");
}

TEST(HlsPlaylist, DiscontinuitySequenceZeroIsWrittenOnceADiscontinuityIsListed) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 0);
  add_segment(timeline, 1, 4, 0.5, true);
  auto lines = render_lines(timeline);
  EXPECT_EQ(lines[6], "#EXT-X-DISCONTINUITY-SEQUENCE:0");
}

TEST(HlsPlaylist, NewInitSegmentGetsItsOwnMap) {
  LiveTimeline timeline = make_timeline();
  add_segment(timeline, 0);
  add_segment(timeline, 1);
  ASSERT_TRUE(timeline.set_init(base::Buffer::copy_of("other init")).ok());
  add_segment(timeline, 2, 4, 0.5, true);
  add_segment(timeline, 3);
  auto lines = render_lines(timeline);
  auto maps = with_prefix(lines, "#EXT-X-MAP:");
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[1], "#EXT-X-MAP:URI=\"video/init1.mp4\"");
  size_t discontinuity = find_line(lines, "#EXT-X-DISCONTINUITY", 7);
  EXPECT_EQ(lines[discontinuity + 1], maps[1]);
  EXPECT_GT(discontinuity, find_line(lines, "video/seg1.m4s"));
}

TEST(HlsPlaylist, RenditionReports) {
  MediaPlaylistOptions options;
  options.rendition_reports.push_back({"audio.m3u8", 7, 2});
  options.rendition_reports.push_back({"360p.m3u8", 6, std::nullopt});
  auto lines = render_lines(live_timeline(), options);
  auto reports = with_prefix(lines, "#EXT-X-RENDITION-REPORT:");
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0], "#EXT-X-RENDITION-REPORT:URI=\"audio.m3u8\",LAST-MSN=7,LAST-PART=2");
  EXPECT_EQ(reports[1], "#EXT-X-RENDITION-REPORT:URI=\"360p.m3u8\",LAST-MSN=6");
  EXPECT_GT(find_line(lines, "#EXT-X-RENDITION-REPORT:"), find_line(lines, "#EXT-X-PRELOAD-HINT"));
}

TEST(HlsPlaylist, MakeRenditionReport) {
  LiveTimelineConfig config;
  config.rendition = "720p";
  LiveTimeline timeline = make_timeline(config);
  EXPECT_FALSE(make_rendition_report(timeline));
  add_segment(timeline, 5);
  add_parts(timeline, 6, 0, 2);
  auto report = make_rendition_report(timeline);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->uri, "720p.m3u8");
  EXPECT_EQ(report->last_msn, 6u);
  EXPECT_EQ(report->last_part, 1u);
}

TEST(HlsPlaylist, RenditionNameIsInEveryUri) {
  LiveTimelineConfig config;
  config.rendition = "720p";
  auto lines = render_lines(live_timeline(config));
  EXPECT_LT(find_line(lines, "720p/seg0.m4s"), lines.size());
  EXPECT_EQ(attribute(with_prefix(lines, "#EXT-X-MAP:")[0], "URI"), "\"720p/init0.mp4\"");
  EXPECT_EQ(attribute(lines.back(), "URI"), "\"720p/part4.2.m4s\"");
}

TEST(HlsPlaylist, EmptyTimelineHasOnlyTheHeader) {
  LiveTimeline timeline = make_timeline();
  auto lines = render_lines(timeline);
  EXPECT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines.back(), "#EXT-X-MEDIA-SEQUENCE:0");
}

}  // namespace
}  // namespace vela::packager
