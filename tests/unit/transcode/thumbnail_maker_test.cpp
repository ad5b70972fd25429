#include "transcode/thumbnail_maker.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "h264_test_source.hpp"
#include "router/stream_registry.hpp"

namespace vela::transcode {
namespace {

using namespace std::chrono_literals;

template <class Fn>
void on_shard(runtime::ShardSet& shards, size_t i, Fn fn) {
  std::promise<void> done;
  shards.at(i).post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

template <class Pred>
bool eventually(Pred pred) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

media::FramePtr frame_at(const media::MediaFrame& model, int64_t dts, bool keyframe) {
  auto frame = std::make_shared<media::MediaFrame>(model);
  frame->dts = dts;
  frame->keyframe = keyframe;
  return frame;
}

uint64_t counter(base::MetricsRegistry& metrics, std::string_view name) {
  return metrics.counter(name, "").value();
}

class ThumbnailMakerTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    shards_.stop();
    shards_.join();
  }

  std::shared_ptr<router::Stream> publish_stream(ThumbnailMaker& maker, const std::string& name) {
    auto stream = registry_.claim(name, 0);
    EXPECT_TRUE(stream.ok());
    on_shard(shards_, 0, [&] {
      (*stream)->set_tracks({key_.track});
      maker.on_publish_start(*stream);
    });
    return *stream;
  }
  void end_stream(ThumbnailMaker& maker, const std::shared_ptr<router::Stream>& stream) {
    on_shard(shards_, 0, [&] {
      stream->end();
      maker.on_publish_end(stream);
    });
    registry_.release(stream);
  }
  // Keyframes at 0, 1, 2 ... s (90 kHz), each followed by a delta frame.
  void publish_keyframes(const std::shared_ptr<router::Stream>& stream, int count, int first = 0) {
    on_shard(shards_, 0, [&] {
      for (int i = first; i < first + count; ++i) {
        stream->publish(frame_at(key_.frame, i * 90'000, true));
        stream->publish(frame_at(key_.frame, i * 90'000 + 3000, false));
      }
    });
  }

  test::Keyframe key_ = test::encode_keyframe(640, 360);
  runtime::ShardSet shards_{1};
  router::StreamRegistry registry_{shards_, {}};
  base::MetricsRegistry metrics_;
  ThumbnailStore store_;
};

TEST_F(ThumbnailMakerTest, StoresAThumbnailWhileLiveAndRemovesItAtTheEnd) {
  runtime::WorkerPool workers(1, 8);
  ThumbnailMaker maker(shards_, workers, store_, {.interval_s = 3600, .max_width = 160}, metrics_);
  auto stream = publish_stream(maker, "cam");
  publish_keyframes(stream, 3);
  ASSERT_TRUE(eventually([&] { return store_.find("cam").has_value(); }));
  auto thumbnail = store_.find("cam");
  EXPECT_EQ(thumbnail->width, 160u);
  EXPECT_EQ(thumbnail->height, 90u);
  EXPECT_EQ(thumbnail->jpeg.span()[0], 0xFF);
  // One per interval: the later keyframes came too soon.
  workers.join();
  EXPECT_EQ(counter(metrics_, "vela_thumbnails_made_total"), 1u);
  EXPECT_EQ(counter(metrics_, "vela_thumbnail_failures_total"), 0u);
  EXPECT_GT(counter(metrics_, "vela_thumbnail_work_microseconds_total"), 0u);
  end_stream(maker, stream);
  EXPECT_FALSE(store_.find("cam").has_value());
}

TEST_F(ThumbnailMakerTest, AtMostOneJobInFlightPerStream) {
  runtime::WorkerPool workers(1, 8);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(workers.submit([released] { released.wait(); }));  // the only worker is busy
  ThumbnailMaker maker(shards_, workers, store_, {.interval_s = 0.001, .max_width = 320}, metrics_);
  auto stream = publish_stream(maker, "busy");
  publish_keyframes(stream, 1);
  std::this_thread::sleep_for(5ms);  // past the interval
  publish_keyframes(stream, 4, 1);
  EXPECT_EQ(workers.pending(), 2u);  // the blocker and one thumbnail job
  EXPECT_EQ(counter(metrics_, "vela_thumbnails_skipped_total"), 4u);
  release.set_value();
  ASSERT_TRUE(eventually([&] { return store_.find("busy").has_value(); }));
  EXPECT_EQ(counter(metrics_, "vela_thumbnails_made_total"), 1u);
  end_stream(maker, stream);
}

TEST_F(ThumbnailMakerTest, IntervalZeroTurnsThumbnailsOff) {
  runtime::WorkerPool workers(1, 8);
  ThumbnailMaker maker(shards_, workers, store_, {.interval_s = 0, .max_width = 320}, metrics_);
  auto stream = publish_stream(maker, "off");
  publish_keyframes(stream, 2);
  workers.join();
  EXPECT_FALSE(store_.find("off").has_value());
  EXPECT_EQ(counter(metrics_, "vela_thumbnails_made_total"), 0u);
  end_stream(maker, stream);
}

}  // namespace
}  // namespace vela::transcode
