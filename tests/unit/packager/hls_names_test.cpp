#include "packager/hls_names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vela::packager {
namespace {

ObjectRef parse_ok(std::string_view path) {
  auto ref = parse_object_path(path);
  EXPECT_TRUE(ref.ok()) << path;
  return ref.ok() ? *ref : ObjectRef{};
}

TEST(HlsNames, ParsesEveryKind) {
  EXPECT_EQ(parse_ok("index.m3u8").kind, ObjectKind::multivariant);

  ObjectRef playlist = parse_ok("video.m3u8");
  EXPECT_EQ(playlist.kind, ObjectKind::media_playlist);
  EXPECT_EQ(playlist.rendition, "video");

  ObjectRef init = parse_ok("video/init3.mp4");
  EXPECT_EQ(init.kind, ObjectKind::init);
  EXPECT_EQ(init.rendition, "video");
  EXPECT_EQ(init.init_id, 3u);

  ObjectRef segment = parse_ok("720p/seg1234.m4s");
  EXPECT_EQ(segment.kind, ObjectKind::segment);
  EXPECT_EQ(segment.rendition, "720p");
  EXPECT_EQ(segment.msn, 1234u);

  ObjectRef part = parse_ok("audio_en/part56.7.m4s");
  EXPECT_EQ(part.kind, ObjectKind::part);
  EXPECT_EQ(part.rendition, "audio_en");
  EXPECT_EQ(part.msn, 56u);
  EXPECT_EQ(part.part, 7u);
}

TEST(HlsNames, FormatsCanonicalNames) {
  EXPECT_EQ(multivariant_path(), "index.m3u8");
  EXPECT_EQ(media_playlist_path("video"), "video.m3u8");
  EXPECT_EQ(init_path("video", 0), "video/init0.mp4");
  EXPECT_EQ(segment_path("video", 42), "video/seg42.m4s");
  EXPECT_EQ(part_path("video", 42, 3), "video/part42.3.m4s");
}

TEST(HlsNames, RoundTrips) {
  for (std::string path :
       {"index.m3u8", "v.m3u8", "v/init0.mp4", "v/seg0.m4s", "v/seg9007199254740991.m4s",
        "v/part0.0.m4s", "v/part10.9999.m4s", "a-b_c/init18.mp4"}) {
    EXPECT_EQ(object_path(parse_ok(path)), path);
  }
}

TEST(HlsNames, NumbersAtTheirBoundsParse) {
  EXPECT_EQ(parse_ok("v/seg9007199254740991.m4s").msn, kMaxSequenceNumber);
  EXPECT_EQ(parse_ok("v/part1.9999.m4s").part, kMaxPartIndex);
  EXPECT_EQ(parse_ok("v/init9007199254740991.mp4").init_id, kMaxSequenceNumber);
}

TEST(HlsNames, RejectsMalformedPaths) {
  using namespace std::string_view_literals;
  const std::vector<std::string_view> paths = {
      "",
      "/",
      "index",
      "index.m3u8/",
      "/index.m3u8",
      "INDEX.M3U8",
      "video",
      ".m3u8",
      "video.m3u",
      "video.m3u8x",
      "Video.m3u8",
      "_video.m3u8",
      "-video.m3u8",
      "vid eo.m3u8",
      "vid%20eo.m3u8",
      "index/seg1.m4s",
      "video/",
      "video/seg.m4s",
      "video/seg01.m4s",
      "video/seg00.m4s",
      "video/seg-1.m4s",
      "video/seg+1.m4s",
      "video/seg 1.m4s",
      "video/seg1.m4s/",
      "video/seg1.m4s?x=1",
      "video//seg1.m4s",
      "../video/seg1.m4s",
      "video/../seg1.m4s",
      "video/./seg1.m4s",
      "video/seg1.mp4",
      "video/seg1.M4S",
      "video/seg0x10.m4s",
      "video/seg1e3.m4s",
      "video/part1.m4s",
      "video/part1..m4s",
      "video/part.1.m4s",
      "video/part1.2.3.m4s",
      "video/part1.01.m4s",
      "video/part1.-1.m4s",
      "video/init.mp4",
      "video/init0.m4s",
      "video/init00.mp4",
      "video/thing1.m4s",
      "a/b/c",
      "video/seg1.m4s\n",
      "video/seg\0.m4s"sv,
  };
  for (std::string_view path : paths) {
    EXPECT_FALSE(parse_object_path(path).ok()) << path;
  }
}

TEST(HlsNames, RejectsNumbersOutOfRange) {
  EXPECT_FALSE(parse_object_path("video/seg9007199254740992.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/seg18446744073709551615.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/seg18446744073709551616.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/seg99999999999999999999999999999.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/part1.10000.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/part1.4294967296.m4s").ok());
  EXPECT_FALSE(parse_object_path("video/init9007199254740992.mp4").ok());
}

TEST(HlsNames, RenditionNames) {
  EXPECT_TRUE(is_valid_rendition_name("video"));
  EXPECT_TRUE(is_valid_rendition_name("1080p60"));
  EXPECT_TRUE(is_valid_rendition_name("a_b-c"));
  EXPECT_TRUE(is_valid_rendition_name(std::string(kMaxRenditionNameLength, 'a')));
  EXPECT_FALSE(is_valid_rendition_name(std::string(kMaxRenditionNameLength + 1, 'a')));
  EXPECT_FALSE(is_valid_rendition_name(""));
  EXPECT_FALSE(is_valid_rendition_name("index"));
  EXPECT_FALSE(is_valid_rendition_name("Video"));
  EXPECT_FALSE(is_valid_rendition_name("_video"));
  EXPECT_FALSE(is_valid_rendition_name("vi.deo"));
  EXPECT_FALSE(is_valid_rendition_name("vi/deo"));
  EXPECT_FALSE(parse_object_path(std::string(33, 'a') + ".m3u8").ok());
}

TEST(HlsNames, ParseDecimal) {
  EXPECT_EQ(parse_decimal("0", 10), 0u);
  EXPECT_EQ(parse_decimal("007", 10), 7u);
  EXPECT_EQ(parse_decimal("10", 10), 10u);
  EXPECT_EQ(parse_decimal("11", 10), std::nullopt);
  EXPECT_EQ(parse_decimal("6", 5), std::nullopt);
  EXPECT_EQ(parse_decimal("5", 5), 5u);
  EXPECT_EQ(parse_decimal("1", 0), std::nullopt);
  EXPECT_EQ(parse_decimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_EQ(parse_decimal("18446744073709551616", UINT64_MAX), std::nullopt);
  EXPECT_EQ(parse_decimal("99999999999999999999", UINT64_MAX), std::nullopt);
  EXPECT_EQ(parse_decimal("", 10), std::nullopt);
  EXPECT_EQ(parse_decimal("-1", 10), std::nullopt);
  EXPECT_EQ(parse_decimal("+1", 10), std::nullopt);
  EXPECT_EQ(parse_decimal(" 1", 10), std::nullopt);
  EXPECT_EQ(parse_decimal("1 ", 10), std::nullopt);
  EXPECT_EQ(parse_decimal("1.0", 10), std::nullopt);
}

}  // namespace
}  // namespace vela::packager
