#include "packager/multivariant.hpp"

#include <gtest/gtest.h>

#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

using test::attribute;
using test::lines_of;

RenditionInfo hd() {
  RenditionInfo info;
  info.name = "720p";
  info.bandwidth = 3'000'000;
  info.average_bandwidth = 2'500'000;
  info.codecs = {"avc1.64001f", "mp4a.40.2"};
  info.width = 1280;
  info.height = 720;
  info.frame_rate = 29.97;
  return info;
}

TEST(Multivariant, OneStreamInfPerRendition) {
  RenditionInfo sd;
  sd.name = "360p";
  sd.bandwidth = 800'000;
  sd.codecs = {"avc1.42c01e", "mp4a.40.2"};
  sd.width = 640;
  sd.height = 360;
  sd.frame_rate = 30;
  auto lines = lines_of(render_multivariant({hd(), sd}));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "#EXTM3U");
  EXPECT_EQ(lines[1], "#EXT-X-VERSION:6");
  EXPECT_EQ(lines[2], "#EXT-X-INDEPENDENT-SEGMENTS");

  ASSERT_TRUE(lines[3].starts_with("#EXT-X-STREAM-INF:"));
  EXPECT_EQ(attribute(lines[3], "BANDWIDTH"), "3000000");
  EXPECT_EQ(attribute(lines[3], "AVERAGE-BANDWIDTH"), "2500000");
  EXPECT_EQ(attribute(lines[3], "CODECS"), "\"avc1.64001f,mp4a.40.2\"");
  EXPECT_EQ(attribute(lines[3], "RESOLUTION"), "1280x720");
  EXPECT_EQ(attribute(lines[3], "FRAME-RATE"), "29.970");
  EXPECT_EQ(lines[4], "720p.m3u8");

  EXPECT_EQ(lines[5],
            "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.42c01e,mp4a.40.2\","
            "RESOLUTION=640x360,FRAME-RATE=30.000");
  EXPECT_EQ(lines[6], "360p.m3u8");
}

TEST(Multivariant, AudioOnlyRenditionHasNoVideoAttributes) {
  RenditionInfo audio;
  audio.name = "audio";
  audio.bandwidth = 128'000;
  audio.codecs = {"mp4a.40.2"};
  auto lines = lines_of(render_multivariant({audio}));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3], "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"");
  EXPECT_EQ(lines[4], "audio.m3u8");
}

TEST(Multivariant, HalfAResolutionIsNoResolution) {
  RenditionInfo info = hd();
  info.height = 0;
  auto lines = lines_of(render_multivariant({info}));
  EXPECT_EQ(attribute(lines[3], "RESOLUTION"), "");
}

TEST(Multivariant, NoRenditions) {
  EXPECT_EQ(render_multivariant({}), "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
}

}  // namespace
}  // namespace vela::packager
