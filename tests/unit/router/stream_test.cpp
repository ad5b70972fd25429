#include "router/stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
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

// A shard whose last subscriber left and that subscribes again gets the home shard's cached
// GOP again, although it saw those frames before (a viewer reloading the page).
TEST(Stream, AShardSubscribingAgainStartsFromTheCachedGop) {
  runtime::ShardSet shards(2);
  shards.start();
  StreamRegistry registry(shards, {});
  auto stream = *registry.claim("again", 0);
  on_shard(shards, 0, [&] { stream->set_tracks(av_tracks()); });

  // Subscribes on shard 1, lets `publish` run on the home shard, and returns what arrived.
  auto subscribe_and_collect = [&](const std::function<void()>& publish, size_t expected) {
    std::promise<void> received;
    std::vector<int64_t> seen;
    std::shared_ptr<Subscription> sub;
    on_shard(shards, 1, [&] {
      sub = stream->subscribe(1, 64, [&] {
        while (auto f = sub->pop()) seen.push_back(f->dts);
        if (seen.size() == expected) received.set_value();
      });
    });
    on_shard(shards, 0, publish);
    received.get_future().wait_for(std::chrono::seconds(5));  // the expected count, or what came
    std::vector<int64_t> result;
    on_shard(shards, 1, [&] {
      result = seen;
      stream->unsubscribe(1, sub);
    });
    return result;
  };
  auto first = subscribe_and_collect([&] {
    stream->publish(frame(1, 0, true));
    stream->publish(frame(1, 3000, false));
  }, 2);
  EXPECT_EQ(first, (std::vector<int64_t>{0, 3000}));
  on_shard(shards, 0, [&] { stream->publish(frame(1, 6000, false)); });  // nobody on shard 1
  auto again = subscribe_and_collect([&] { stream->publish(frame(1, 9000, false)); }, 4);
  EXPECT_EQ(again, (std::vector<int64_t>{0, 3000, 6000, 9000}));

  on_shard(shards, 0, [&] { stream->end(); });
  registry.release(stream);
  shards.stop();
  shards.join();
}

}  // namespace
}  // namespace vela::router

namespace vela::router {
namespace {

TEST(Subscription, DerivedTracksOnlyWhenAskedFor) {
  std::vector<uint32_t> plain_tracks, all_tracks;
  Subscription plain(16, 1, nullptr);
  Subscription all(16, 1, nullptr, /*with_derived=*/true);
  for (auto* s : {&plain, &all}) {
    s->push(frame(1, 0, true));
    s->push(frame(media::kFirstDerivedTrackId, 0, true));
    s->push(frame(2, 10, true));
  }
  while (auto f = plain.pop()) plain_tracks.push_back(f->track_id);
  while (auto f = all.pop()) all_tracks.push_back(f->track_id);
  EXPECT_EQ(plain_tracks, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(all_tracks, (std::vector<uint32_t>{1, media::kFirstDerivedTrackId, 2}));
  EXPECT_EQ(plain.dropped(), 0u) << "filtered frames are not losses";
}

TEST(Stream, DerivedTracksReachEveryShardBesideTheSourceTracks) {
  runtime::ShardSet shards(2);
  shards.start();
  auto stream = std::make_shared<Stream>("s", shards, 0, StreamOptions{});
  media::TrackInfo rendition;
  rendition.id = media::kFirstDerivedTrackId;
  rendition.rendition = "360p";
  on_shard(shards, 0, [&] {
    stream->set_tracks(av_tracks());
    stream->set_derived_tracks("ladder", {rendition});
  });
  on_shard(shards, 1, [&] {
    ASSERT_EQ(stream->tracks(1).size(), 2u);
    ASSERT_EQ(stream->derived_tracks(1).size(), 1u);
    EXPECT_EQ(stream->derived_tracks(1)[0].rendition, "360p");
  });
  shards.abort();
  shards.join();
}

}  // namespace
}  // namespace vela::router

namespace vela::router {
namespace {

media::TrackInfo derived(uint32_t id, std::string rendition) {
  media::TrackInfo track;
  track.id = id;
  track.rendition = std::move(rendition);
  return track;
}

std::vector<uint32_t> ids_of(const std::vector<media::TrackInfo>& tracks) {
  std::vector<uint32_t> ids;
  for (const auto& t : tracks) ids.push_back(t.id);
  return ids;
}

TEST(Stream, DerivedTracksAreTheUnionOfEveryProducersListOrderedById) {
  runtime::ShardSet shards(2);
  shards.start();
  auto stream = std::make_shared<Stream>("s", shards, 0, StreamOptions{});
  const uint32_t audio = media::kFirstAudioBridgeTrackId;
  const uint32_t r720 = media::kFirstDerivedTrackId, r360 = media::kFirstDerivedTrackId + 1;
  on_shard(shards, 0, [&] {
    stream->set_tracks(av_tracks());
    stream->set_derived_tracks("audio_bridge", {derived(audio, "audio-opus")});
    stream->set_derived_tracks("ladder", {derived(r360, "360p"), derived(r720, "720p")});
  });
  on_shard(shards, 1, [&] { EXPECT_EQ(ids_of(stream->derived_tracks(1)), (std::vector<uint32_t>{r720, r360, audio})); });
  // A producer's new list replaces only its own.
  on_shard(shards, 0, [&] {
    stream->set_derived_tracks("ladder", {derived(r360, "360p")});
    EXPECT_EQ(ids_of(stream->derived_tracks(0)), (std::vector<uint32_t>{r360, audio}));
    stream->set_derived_tracks("audio_bridge", {});
  });
  on_shard(shards, 1, [&] { EXPECT_EQ(ids_of(stream->derived_tracks(1)), (std::vector<uint32_t>{r360})); });
  shards.abort();
  shards.join();
}

TEST(Stream, KeyframeRequestsReachThePublisherRateLimited) {
  runtime::ShardSet shards(2);
  shards.start();
  auto stream = std::make_shared<Stream>("s", shards, 0, StreamOptions{.keyframe_request_interval = std::chrono::hours(1)});
  std::atomic<int> asked{0};
  std::atomic<bool> on_home{true};
  on_shard(shards, 1, [&] { stream->request_keyframe(); });  // no requester yet: nothing happens
  on_shard(shards, 0, [&] {
    stream->set_keyframe_requester([&] {
      if (!shards.at(0).running_in_this_thread()) on_home = false;
      ++asked;
    });
  });
  EXPECT_EQ(asked, 0);
  // Viewers on both shards ask at once: one request reaches the publisher in the interval.
  for (int i = 0; i < 3; ++i) {
    on_shard(shards, 1, [&] { stream->request_keyframe(); });
    on_shard(shards, 0, [&] { stream->request_keyframe(); });
  }
  on_shard(shards, 0, [] {});
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(on_home) << "the requester runs on the home shard";
  shards.abort();
  shards.join();
}

TEST(Stream, KeyframeRequestsPassEachIntervalAndStopWhenTheStreamEnds) {
  runtime::ShardSet shards(2);
  shards.start();
  auto stream = std::make_shared<Stream>("s", shards, 0, StreamOptions{.keyframe_request_interval = std::chrono::milliseconds(0)});
  std::atomic<int> asked{0};
  on_shard(shards, 0, [&] { stream->set_keyframe_requester([&] { ++asked; }); });
  on_shard(shards, 1, [&] {
    stream->request_keyframe();
    stream->request_keyframe();
  });
  on_shard(shards, 1, [] {});
  on_shard(shards, 0, [] {});
  EXPECT_EQ(asked, 2) << "no interval: every request passes";
  on_shard(shards, 0, [&] { stream->set_keyframe_requester(nullptr); });
  on_shard(shards, 1, [&] { stream->request_keyframe(); });
  on_shard(shards, 0, [] {});
  EXPECT_EQ(asked, 2) << "cleared requester";
  on_shard(shards, 0, [&] {
    stream->set_keyframe_requester([&] { ++asked; });
    stream->end();
    stream->request_keyframe();
  });
  on_shard(shards, 0, [] {});
  EXPECT_EQ(asked, 2) << "an ended stream forgets its requester";
  shards.abort();
  shards.join();
}

}  // namespace
}  // namespace vela::router
