#include "bench/playlist_scan.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vela::bench {
namespace {

constexpr int64_t kNoonUs = 1'714'564'800'000'000;  // 2024-05-01T12:00:00Z

TEST(FindAttribute, PlainQuotedAndMissing) {
  std::string_view list = R"(DURATION=0.333,URI="video/part5.0.m4s",INDEPENDENT=YES)";
  EXPECT_EQ(find_attribute(list, "DURATION"), "0.333");
  EXPECT_EQ(find_attribute(list, "URI"), "video/part5.0.m4s");
  EXPECT_EQ(find_attribute(list, "INDEPENDENT"), "YES");
  EXPECT_FALSE(find_attribute(list, "BYTERANGE-START"));
  EXPECT_FALSE(find_attribute(list, "URI\"")) << "names match whole keys only";
}

TEST(FindAttribute, CommaInsideQuotesDoesNotSplit) {
  std::string_view list = R"(CODECS="avc1.64001f,mp4a.40.2",BANDWIDTH=2500000)";
  EXPECT_EQ(find_attribute(list, "CODECS"), "avc1.64001f,mp4a.40.2");
  EXPECT_EQ(find_attribute(list, "BANDWIDTH"), "2500000");
}

TEST(FindAttribute, MalformedListsGiveNothing) {
  EXPECT_FALSE(find_attribute(R"(URI="unterminated)", "URI"));
  EXPECT_FALSE(find_attribute(R"(URI="a"B=1)", "B"));
  EXPECT_FALSE(find_attribute("NOVALUE", "NOVALUE"));
  EXPECT_FALSE(find_attribute("", "URI"));
}

TEST(ProgramDateTime, UtcWithMilliseconds) {
  EXPECT_EQ(parse_program_date_time("2024-05-01T12:00:00.000Z"), kNoonUs);
  EXPECT_EQ(parse_program_date_time("2024-05-01T12:00:01.234Z"), kNoonUs + 1'234'000);
  EXPECT_EQ(parse_program_date_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_program_date_time("2024-02-29T23:59:59Z"), int64_t{1'709'251'199} * 1'000'000);
}

TEST(ProgramDateTime, FractionDigitsAndOffsets) {
  EXPECT_EQ(parse_program_date_time("2024-05-01T12:00:00.5Z"), kNoonUs + 500'000);
  EXPECT_EQ(parse_program_date_time("2024-05-01T12:00:00.123456Z"), kNoonUs + 123'456);
  // Digits past the microsecond do not count.
  EXPECT_EQ(parse_program_date_time("2024-05-01T12:00:00.1234569Z"), kNoonUs + 123'456);
  // 14:30+02:30 is 12:00 UTC; 09:00-03:00 too.
  EXPECT_EQ(parse_program_date_time("2024-05-01T14:30:00.000+02:30"), kNoonUs);
  EXPECT_EQ(parse_program_date_time("2024-05-01T09:00:00-03:00"), kNoonUs);
}

TEST(ProgramDateTime, RejectsMalformed) {
  for (std::string_view bad :
       {"", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01T12:00:00.Z", "2024-13-01T12:00:00Z",
        "2023-02-29T12:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01 12:00:00Z",
        "2024-05-01T12:00:00.000ZZ", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00.000+02:60",
        "2024-5-01T12:00:00Z"}) {
    EXPECT_FALSE(parse_program_date_time(bad)) << bad;
  }
}

TEST(PartTag, ParsesDurationUriAndIndependence) {
  auto tag =
      parse_part_tag(R"(DURATION=0.333,URI="video/part1714564800000.2.m4s",INDEPENDENT=YES)");
  ASSERT_TRUE(tag);
  EXPECT_DOUBLE_EQ(tag->duration_s, 0.333);
  EXPECT_EQ(tag->uri, "video/part1714564800000.2.m4s");
  EXPECT_TRUE(tag->independent);

  auto plain = parse_part_tag(R"(URI="p.m4s",DURATION=0.5)");
  ASSERT_TRUE(plain);
  EXPECT_DOUBLE_EQ(plain->duration_s, 0.5);
  EXPECT_FALSE(plain->independent);
}

TEST(PartTag, NeedsDurationAndUri) {
  EXPECT_FALSE(parse_part_tag(R"(URI="p.m4s")"));
  EXPECT_FALSE(parse_part_tag("DURATION=0.333"));
  EXPECT_FALSE(parse_part_tag(R"(DURATION=-0.3,URI="p.m4s")"));
  EXPECT_FALSE(parse_part_tag(R"(DURATION=0.3s,URI="p.m4s")"));
  EXPECT_FALSE(parse_part_tag(R"(DURATION=0.3,URI="")"));
}

TEST(PreloadHint, OnlyPartHints) {
  EXPECT_EQ(parse_preload_hint(R"(TYPE=PART,URI="video/part7.3.m4s")"), "video/part7.3.m4s");
  EXPECT_FALSE(parse_preload_hint(R"(TYPE=MAP,URI="video/init1.mp4")"));
  EXPECT_FALSE(parse_preload_hint("TYPE=PART"));
}

// Shaped like packager/hls_playlist.cpp output: two complete segments (the older without
// parts), one in progress.
constexpr std::string_view kMediaPlaylist =
    "#EXTM3U\n"
    "#EXT-X-VERSION:9\n"
    "#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.000,CAN-SKIP-UNTIL=12.000\n"
    "#EXT-X-PART-INF:PART-TARGET=0.334\n"
    "#EXT-X-MEDIA-SEQUENCE:100\n"
    "#EXT-X-MAP:URI=\"video/init7.mp4\"\n"
    "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z\n"
    "#EXTINF:2.000,\n"
    "video/seg100.m4s\n"
    "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:02.000Z\n"
    "#EXT-X-PART:DURATION=0.500,URI=\"video/part101.0.m4s\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.500,URI=\"video/part101.1.m4s\"\n"
    "#EXT-X-PART:DURATION=1.000,URI=\"video/part101.2.m4s\"\n"
    "#EXTINF:2.000,\n"
    "video/seg101.m4s\n"
    "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:04.000Z\n"
    "#EXT-X-PART:DURATION=0.333,URI=\"video/part102.0.m4s\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.334,URI=\"video/part102.1.m4s\"\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"video/part102.2.m4s\"\n"
    "#EXT-X-RENDITION-REPORT:URI=\"audio.m3u8\",LAST-MSN=102,LAST-PART=1\n";

TEST(ScanMediaPlaylist, NumbersPartsAndComputesAvailability) {
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(kMediaPlaylist, scan));
  EXPECT_EQ(scan.media_sequence, 100u);
  EXPECT_FALSE(scan.ended);
  ASSERT_EQ(scan.preload_hint, "video/part102.2.m4s");
  ASSERT_EQ(scan.parts.size(), 5u);

  const int64_t seg101 = kNoonUs + 2'000'000;
  const int64_t seg102 = kNoonUs + 4'000'000;
  struct Expected {
    uint64_t msn;
    uint32_t index;
    int64_t available_us;
    bool independent;
  };
  const Expected expected[] = {
      {101, 0, seg101 + 500'000, true},    {101, 1, seg101 + 1'000'000, false},
      {101, 2, seg101 + 2'000'000, false}, {102, 0, seg102 + 333'000, true},
      {102, 1, seg102 + 667'000, false},
  };
  for (size_t i = 0; i < scan.parts.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(scan.parts[i].msn, expected[i].msn);
    EXPECT_EQ(scan.parts[i].index, expected[i].index);
    EXPECT_EQ(scan.parts[i].available_us, expected[i].available_us);
    EXPECT_EQ(scan.parts[i].independent, expected[i].independent);
  }
  EXPECT_EQ(scan.parts[4].uri, "video/part102.1.m4s");
}

TEST(ScanMediaPlaylist, SegmentWithoutPdtContinuesFromThePreviousOne) {
  std::string_view text =
      "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:5\n"
      "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z\n"
      "#EXTINF:1.5,\nseg5.m4s\n"
      "#EXT-X-PART:DURATION=0.25,URI=\"part6.0.m4s\"\n";
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(text, scan));
  ASSERT_EQ(scan.parts.size(), 1u);
  EXPECT_EQ(scan.parts[0].msn, 6u);
  EXPECT_EQ(scan.parts[0].available_us, kNoonUs + 1'750'000);
}

TEST(ScanMediaPlaylist, WithoutAnyPdtAvailabilityIsUnknown) {
  std::string_view text = "#EXTM3U\r\n#EXT-X-PART:DURATION=0.25,URI=\"p0.0.m4s\"\r\n";
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(text, scan));
  ASSERT_EQ(scan.parts.size(), 1u);
  EXPECT_EQ(scan.parts[0].msn, 0u) << "no EXT-X-MEDIA-SEQUENCE means 0";
  EXPECT_EQ(scan.parts[0].uri, "p0.0.m4s") << "CRLF line ends are stripped";
  EXPECT_EQ(scan.parts[0].available_us, 0);
}

TEST(ScanMediaPlaylist, SkippedSegmentsAdvanceTheSequence) {
  std::string_view text =
      "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
      "#EXTINF:2.0,\nseg13.m4s\n"
      "#EXT-X-PART:DURATION=0.5,URI=\"part14.0.m4s\"\n#EXT-X-ENDLIST\n";
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(text, scan));
  ASSERT_EQ(scan.parts.size(), 1u);
  EXPECT_EQ(scan.parts[0].msn, 14u);
  EXPECT_TRUE(scan.ended);
}

TEST(ScanMediaPlaylist, RejectsWhatItCannotTrust) {
  MediaPlaylistScan scan;
  EXPECT_FALSE(scan_media_playlist("", scan));
  EXPECT_FALSE(scan_media_playlist("<html>", scan));
  EXPECT_FALSE(scan_media_playlist("#EXTM3U\n#EXT-X-PART:URI=\"p.m4s\"\n", scan));
  EXPECT_FALSE(scan_media_playlist("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:x\n", scan));
  EXPECT_FALSE(scan_media_playlist("#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n", scan));
  EXPECT_FALSE(scan_media_playlist("#EXTM3U\nseg1.m4s\n", scan)) << "URI without EXTINF";
  EXPECT_FALSE(scan_media_playlist("#EXTM3U\n#EXT-X-SKIP:SKIPPED-SEGMENTS=-1\n", scan));
}

TEST(ScanMediaPlaylist, ReusedScanStartsClean) {
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(kMediaPlaylist, scan));
  ASSERT_TRUE(scan_media_playlist("#EXTM3U\n#EXT-X-ENDLIST\n", scan));
  EXPECT_TRUE(scan.parts.empty());
  EXPECT_FALSE(scan.preload_hint);
  EXPECT_TRUE(scan.ended);
  EXPECT_EQ(scan.media_sequence, 0u);
}

TEST(PartsAfter, FindsNewerParts) {
  MediaPlaylistScan scan;
  ASSERT_TRUE(scan_media_playlist(kMediaPlaylist, scan));
  auto range = parts_after(scan, 101, 2);
  EXPECT_EQ(range.first, 3u);
  EXPECT_EQ(range.last, 5u);
  range = parts_after(scan, 102, 1);
  EXPECT_EQ(range.first, range.last) << "nothing after the newest";
  range = parts_after(scan, 90, 0);
  EXPECT_EQ(range.first, 0u) << "older than everything listed: all of it";
  range = parts_after(scan, 101, 9);
  EXPECT_EQ(range.first, 3u) << "an index past the segment's last part";
}

TEST(FirstVariant, TakesTheUriAfterStreamInf) {
  std::string_view text =
      "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS=\"avc1.64001f,mp4a.40.2\"\n"
      "video.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow.m3u8\n";
  EXPECT_EQ(first_variant_uri(text), "video.m3u8");
  EXPECT_FALSE(first_variant_uri("#EXTM3U\n#EXT-X-VERSION:6\n"));
  EXPECT_FALSE(first_variant_uri("video.m3u8\n"));
}

TEST(ResolveUri, RelativeAbsolutePathAndUrl) {
  std::string out;
  ASSERT_TRUE(resolve_uri("/live/bench/index.m3u8", "video.m3u8", out));
  EXPECT_EQ(out, "/live/bench/video.m3u8");
  ASSERT_TRUE(resolve_uri("/live/bench/video.m3u8", "video/part3.1.m4s", out));
  EXPECT_EQ(out, "/live/bench/video/part3.1.m4s");
  ASSERT_TRUE(resolve_uri("/live/bench/video.m3u8", "/other/x.m4s", out));
  EXPECT_EQ(out, "/other/x.m4s");
  ASSERT_TRUE(resolve_uri("/a/b.m3u8", "http://127.0.0.1:8080/c/d.m4s?t=1", out));
  EXPECT_EQ(out, "/c/d.m4s?t=1");
  EXPECT_FALSE(resolve_uri("/a/b.m3u8", "https://example.com/x", out));
  EXPECT_FALSE(resolve_uri("/a/b.m3u8", "", out));
}

}  // namespace
}  // namespace vela::bench
