#include "packager/hls_shard_directory.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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

// A publish session with its source rendition "video".
void begin(HlsShardDirectory& directory, uint64_t generation) {
  directory.apply("demo", generation, {}, HlsBegin{});
  directory.apply("demo", generation, {}, HlsRenditionBegin{LiveTimelineConfig{}, rendition()});
}

const LiveTimeline& timeline(const HlsStreamState& state) {
  return state.find("video")->timeline;
}

base::Buffer playlist(HlsStreamState& state) {
  return state.playlist(*state.find("video"), false);
}

TEST(HlsShardDirectory, AppliesOneGenerationAndIgnoresStaleEvents) {
  boost::asio::io_context io;
  HlsShardDirectory directory(io, std::chrono::milliseconds(10));
  begin(directory, 1);
  directory.apply("demo", 1, "video", HlsInit{base::Buffer::copy_of(std::string_view("init"))});
  directory.apply("demo", 1, "video", test::make_part(5, 0));
  auto state = directory.find("demo");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(timeline(*state).last_part()->msn, 5u);

  // A new publish session replaces the state; late events of the old one change nothing.
  begin(directory, 2);
  directory.apply("demo", 1, "video", test::make_part(5, 1));
  auto replaced = directory.find("demo");
  ASSERT_NE(replaced, state);
  EXPECT_FALSE(timeline(*replaced).has_media());
  EXPECT_EQ(directory.find("other"), nullptr);
}

TEST(HlsShardDirectory, RendersOncePerChangeAndDropsEndedStreamsLater) {
  boost::asio::io_context io;
  HlsShardDirectory directory(io, std::chrono::milliseconds(1));
  begin(directory, 7);
  directory.apply("demo", 7, "video", HlsInit{base::Buffer::copy_of(std::string_view("init"))});
  directory.apply("demo", 7, "video", test::make_part(1, 0));
  auto state = directory.find("demo");
  base::Buffer first = playlist(*state);
  EXPECT_EQ(playlist(*state).data(), first.data());  // cached: same bytes, no re-render
  directory.apply("demo", 7, "video", test::make_part(1, 1));
  base::Buffer second = playlist(*state);
  EXPECT_NE(second.data(), first.data());
  EXPECT_NE(second.text().find("part1.1.m4s"), std::string_view::npos);
  EXPECT_NE(state->multivariant().text().find("BANDWIDTH=1000000"), std::string_view::npos);

  directory.apply("demo", 7, "video", HlsEnd{});
  EXPECT_NE(playlist(*directory.find("demo")).text().find("#EXT-X-ENDLIST"), std::string_view::npos);
  // The ended stream answers alike on every playlist: the multivariant still lists it.
  EXPECT_TRUE(directory.find("demo")->over());
  EXPECT_NE(directory.find("demo")->multivariant().text().find("video.m3u8"), std::string_view::npos);
  io.run();  // the retention timer fires
  EXPECT_EQ(directory.find("demo"), nullptr);
}

TEST(HlsShardDirectory, StopCancelsPendingRemovalsAndWakesParkedRequests) {
  boost::asio::io_context io;
  HlsShardDirectory directory(io, std::chrono::hours(1));
  begin(directory, 3);
  directory.apply("demo", 3, "video", HlsEnd{});  // an hour's removal is now pending
  bool woken = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto state = directory.find("demo");
        woken = co_await state->changed.wait_until(std::chrono::steady_clock::now() + std::chrono::hours(1));
      },
      boost::asio::detached);
  io.poll();  // the request parks
  EXPECT_EQ(directory.find("demo")->changed.waiting(), 1u);

  directory.stop();
  EXPECT_TRUE(directory.stopped());
  // Nothing is left to wait for: run() returns at once instead of after an hour.
  auto started = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::minutes(1));
  EXPECT_TRUE(woken);
  EXPECT_NE(directory.find("demo"), nullptr);  // still served until the process ends

  // Streams that end after stop() schedule no removal either.
  io.restart();
  begin(directory, 4);
  directory.apply("demo", 4, "video", HlsEnd{});
  EXPECT_EQ(io.run(), 0u);
}

}  // namespace
}  // namespace vela::packager
