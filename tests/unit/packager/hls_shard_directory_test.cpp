#include "packager/hls_shard_directory.hpp"

#include <gtest/gtest.h>

#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

RenditionInfo rendition() {
  RenditionInfo info;
  info.name = "video";
  info.bandwidth = 1'000'000;
  info.codecs = {"avc1.64001f", "mp4a.40.2"};
  return info;
}

TEST(HlsShardDirectory, AppliesOneGenerationAndIgnoresStaleEvents) {
  boost::asio::io_context io;
  HlsShardDirectory directory(io, std::chrono::milliseconds(10));
  directory.apply("demo", 1, HlsBegin{LiveTimelineConfig{}, rendition()});
  directory.apply("demo", 1, HlsInit{base::Buffer::copy_of(std::string_view("init"))});
  directory.apply("demo", 1, test::make_part(5, 0));
  auto state = directory.find("demo");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->timeline.last_part()->msn, 5u);

  // A new publish session replaces the state; late events of the old one change nothing.
  directory.apply("demo", 2, HlsBegin{LiveTimelineConfig{}, rendition()});
  directory.apply("demo", 1, test::make_part(5, 1));
  auto replaced = directory.find("demo");
  ASSERT_NE(replaced, state);
  EXPECT_FALSE(replaced->timeline.has_media());
  EXPECT_EQ(directory.find("other"), nullptr);
}

TEST(HlsShardDirectory, RendersOncePerChangeAndDropsEndedStreamsLater) {
  boost::asio::io_context io;
  HlsShardDirectory directory(io, std::chrono::milliseconds(1));
  directory.apply("demo", 7, HlsBegin{LiveTimelineConfig{}, rendition()});
  directory.apply("demo", 7, HlsInit{base::Buffer::copy_of(std::string_view("init"))});
  directory.apply("demo", 7, test::make_part(1, 0));
  auto state = directory.find("demo");
  base::Buffer first = state->playlist(false);
  EXPECT_EQ(state->playlist(false).data(), first.data());  // cached: same bytes, no re-render
  directory.apply("demo", 7, test::make_part(1, 1));
  base::Buffer second = state->playlist(false);
  EXPECT_NE(second.data(), first.data());
  EXPECT_NE(second.text().find("part1.1.m4s"), std::string_view::npos);
  EXPECT_NE(state->multivariant().text().find("BANDWIDTH=1000000"), std::string_view::npos);

  directory.apply("demo", 7, HlsEnd{});
  EXPECT_NE(directory.find("demo")->playlist(false).text().find("#EXT-X-ENDLIST"), std::string_view::npos);
  io.run();  // the retention timer fires
  EXPECT_EQ(directory.find("demo"), nullptr);
}

}  // namespace
}  // namespace vela::packager
