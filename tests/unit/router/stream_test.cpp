#include "router/stream.hpp"

#include <gtest/gtest.h>

#include <future>

#include "router/stream_registry.hpp"

namespace vela::router {
namespace {

media::FramePtr frame(uint32_t track, int64_t dts, bool key) {
  auto f = std::make_shared<media::MediaFrame>();
  f->track_id = track;
  f->dts = dts;
  f->keyframe = key;
  return f;
}

std::vector<media::TrackInfo> av_tracks() {
  media::TrackInfo video;
  video.id = 1;
  video.kind = media::MediaKind::video;
  media::TrackInfo audio;
  audio.id = 2;
  audio.kind = media::MediaKind::audio;
  audio.codec = media::Codec::aac;
  return {video, audio};
}

// Runs fn on shard i and waits for it.
template <class Fn>
void on_shard(runtime::ShardSet& shards, size_t i, Fn fn) {
  std::promise<void> done;
  shards.at(i).post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

TEST(Subscription, SkipsToNextKeyframeWhenFull) {
  Subscription sub(3, 1u, nullptr);
  sub.push(frame(1, 0, true));
  sub.push(frame(1, 1, false));
  sub.push(frame(2, 1, true));
  sub.push(frame(1, 2, false));  // full: drops everything until a video keyframe
  sub.push(frame(2, 2, true));
  EXPECT_TRUE(sub.empty());
  sub.push(frame(1, 3, true));
  ASSERT_EQ(sub.queued(), 1u);
  EXPECT_EQ(sub.pop()->dts, 3);
  EXPECT_EQ(sub.dropped(), 5u);
}

TEST(Subscription, StartsAtKeyframeAndEnds) {
  int ready = 0;
  Subscription sub(8, 1u, [&] { ++ready; });
  sub.push(frame(1, 0, false));
  EXPECT_TRUE(sub.empty());
  sub.push(frame(1, 1, true));
  sub.end();
  EXPECT_TRUE(sub.ended());
  EXPECT_EQ(ready, 2);
}

TEST(Stream, FansOutAcrossShardsOncePerShardWithGopStart) {
  runtime::ShardSet shards(2);
  shards.start();
  StreamRegistry registry(shards, {});
  auto claimed = registry.claim("demo", 0);
  ASSERT_TRUE(claimed.ok());
  auto stream = *claimed;
  EXPECT_FALSE(registry.claim("demo", 1).ok());

  on_shard(shards, 0, [&] {
    stream->set_tracks(av_tracks());
    stream->publish(frame(1, 0, true));
    stream->publish(frame(2, 0, true));
    stream->publish(frame(1, 3000, false));
    stream->publish(frame(1, 6000, true));  // the GOP a late subscriber starts from
    stream->publish(frame(2, 6000, true));
  });

  std::promise<std::vector<int64_t>> received;
  std::vector<int64_t> seen;
  std::shared_ptr<Subscription> remote;
  on_shard(shards, 1, [&] {
    remote = stream->subscribe(1, 64, [&] {
      while (auto f = remote->pop()) seen.push_back(f->dts * 10 + f->track_id);
      if (remote->ended()) received.set_value(seen);
    });
  });
  on_shard(shards, 0, [&] {
    stream->publish(frame(1, 9000, false));
    stream->end();
  });
  auto result = received.get_future().get();
  EXPECT_EQ(result, (std::vector<int64_t>{60001, 60002, 90001}));
  on_shard(shards, 1, [&] { EXPECT_EQ(stream->tracks(1).size(), 2u); });
  registry.release(stream);
  EXPECT_EQ(registry.find("demo"), nullptr);
  shards.stop();
  shards.join();
}

}  // namespace
}  // namespace vela::router
