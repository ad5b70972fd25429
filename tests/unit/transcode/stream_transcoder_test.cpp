#include "transcode/stream_transcoder.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include "h264_test_sequence.hpp"
#include "router/stream_registry.hpp"
#include "transcode/transcode_observer.hpp"
#include "transcode/video_decoder.hpp"

namespace vela::transcode {
namespace {

using namespace std::chrono_literals;

template <class Fn>
void on_shard(runtime::ShardSet& shards, Fn fn) {
  std::promise<void> done;
  shards.at(0).post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

template <class Pred>
bool eventually(Pred pred) {
  for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

Ladder two_rungs(double max_fps = 30) {
  return Ladder{true, {{"240p", 240, 300, max_fps}, {"160p", 160, 200, max_fps}}};
}

// The tests publish a whole sequence at once, far ahead of real time: without this, the
// overload policy would rightly drop frames.
StreamTranscoderOptions never_behind() {
  StreamTranscoderOptions options;
  options.overload = {.drop_frames_lag_s = 1000, .shed_lag_s = 1000};
  return options;
}

// A stream published on shard 0, with a subscriber that sees the derived tracks too.
class StreamTranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    if (stream_) {
      on_shard(shards_, [&] {
        stream_->unsubscribe(0, viewer_);
        stream_->end();
        observer_->on_publish_end(stream_);
      });
      registry_.release(stream_);
    }
    workers_.join();
    shards_.stop();
    shards_.join();
  }

  void start(StreamLadder ladder, StreamTranscoderOptions options, const test::Sequence& source) {
    settings_.emplace(ladder, std::map<std::string, LadderOverride>{});
    observer_.emplace(shards_, workers_, *settings_, status_, options, metrics_);
    auto claimed = registry_.claim("cam", 0);
    ASSERT_TRUE(claimed.ok());
    stream_ = *claimed;
    on_shard(shards_, [&] {
      observer_->on_publish_start(stream_);
      stream_->set_tracks({source.track});
      viewer_ = stream_->subscribe(0, 100'000, [this] {
        while (auto frame = viewer_->pop()) {
          if (media::is_derived_track(frame->track_id)) derived_[frame->track_id].push_back(frame);
        }
      }, true);
    });
  }
  void publish(const std::vector<media::MediaFrame>& frames) {
    on_shard(shards_, [&] {
      for (const auto& f : frames) stream_->publish(std::make_shared<media::MediaFrame>(f));
    });
  }
  size_t derived_count(uint32_t track) {
    size_t n = 0;
    on_shard(shards_, [&] { n = derived_[track].size(); });
    return n;
  }
  // Waits until every job has run and its results were published.
  void finish_work() {
    workers_.join();
    on_shard(shards_, [] {});
  }
  std::vector<media::TrackInfo> derived_tracks() {
    std::vector<media::TrackInfo> tracks;
    on_shard(shards_, [&] { tracks = stream_->derived_tracks(0); });
    return tracks;
  }
  uint64_t counter(std::string_view name) { return metrics_.counter(name, "").value(); }

  runtime::ShardSet shards_{1};
  runtime::WorkerPool workers_{1, 64};
  router::StreamRegistry registry_{shards_, {}};
  base::MetricsRegistry metrics_;
  TranscodeStatus status_;
  std::optional<LadderSettings> settings_;
  std::optional<TranscodeObserver> observer_;
  std::shared_ptr<router::Stream> stream_;
  std::shared_ptr<router::Subscription> viewer_;
  std::map<uint32_t, std::vector<media::FramePtr>> derived_;  // shard 0 only
};

std::set<int64_t> keyframe_pts(const std::vector<media::MediaFrame>& frames) {
  std::set<int64_t> out;
  for (const auto& f : frames) {
    if (f.keyframe) out.insert(f.pts());
  }
  return out;
}

TEST_F(StreamTranscoderTest, PublishesOneAlignedDecodableTrackPerPlannedRendition) {
  // B-frames in the source: the decoder reorders, the renditions have none.
  auto source = test::encode_sequence({.frames = 45, .gop = 15, .bframes = 2});
  start({true, two_rungs()}, never_behind(), source);
  publish(source.frames);
  uint32_t first = media::kFirstDerivedTrackId;
  // The decoder holds back the last few pictures (reorder delay) until more input comes.
  ASSERT_TRUE(eventually([&] { return derived_count(first) >= 40 && derived_count(first + 1) >= 40; }));
  finish_work();

  auto planned = plan_ladder({640, 360, 30}, two_rungs());
  ASSERT_EQ(planned.size(), 3u);  // source, 240p, 160p
  auto tracks = derived_tracks();
  ASSERT_EQ(tracks.size(), 2u);
  std::set<int64_t> source_keys = keyframe_pts(source.frames);
  ASSERT_EQ(source_keys, (std::set<int64_t>{2 * 3000, 17 * 3000, 32 * 3000}));
  for (size_t i = 0; i < tracks.size(); ++i) {
    const auto& track = tracks[i];
    const auto& plan = planned[i + 1];
    EXPECT_EQ(track.id, first + i);
    EXPECT_EQ(track.rendition, plan.name);
    EXPECT_EQ(track.width, plan.size.width);
    EXPECT_EQ(track.height, plan.size.height);
    EXPECT_EQ(track.bitrate, plan.video_kbps * 1000);
    EXPECT_TRUE(track.codec_string.starts_with("avc1."));

    auto decoder = H264StreamDecoder::open(track.codec_config.span());
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    std::set<int64_t> keys;
    int64_t last = -1;
    std::vector<int64_t> sent, decoded;
    for (const auto& frame : derived_[track.id]) {
      EXPECT_EQ(frame->cts, 0);  // no B-frames: dts == pts
      EXPECT_GT(frame->dts, last);
      last = frame->dts;
      if (frame->keyframe) keys.insert(frame->pts());
      sent.push_back(frame->pts());
      auto status = decoder->decode(frame->payload.span(), frame->pts(), frame->dts, [&](const AVFrame& picture) {
        EXPECT_EQ(picture.width, static_cast<int>(plan.size.width));
        EXPECT_EQ(picture.height, static_cast<int>(plan.size.height));
        decoded.push_back(picture.pts);
      });
      EXPECT_TRUE(status.ok());
    }
    // Every frame decodes, in order (the decoder's thread holds back the last one).
    sent.pop_back();
    EXPECT_EQ(decoded, sent);
    EXPECT_EQ(keys, source_keys) << "rendition " << plan.name;
    EXPECT_EQ(derived_[track.id].front()->pts(), 2 * 3000);  // starts at the first source frame
  }
  EXPECT_EQ(counter("vela_transcode_failures_total"), 0u);
  EXPECT_EQ(counter("vela_transcode_dropped_frames_total"), 0u);
  auto live = status_.find("cam");
  ASSERT_TRUE(live.has_value());
  ASSERT_EQ(live->size(), 3u);
  EXPECT_TRUE((*live)[1].running);
}

TEST_F(StreamTranscoderTest, CapsTheFrameRateByKeepingEveryNthSourceFrame) {
  auto source = test::encode_sequence({.fps = 60, .frames = 40, .gop = 20});
  start({true, Ladder{false, {{"240p", 240, 300, 30}}}}, never_behind(), source);
  publish(source.frames);
  uint32_t track = media::kFirstDerivedTrackId;
  ASSERT_TRUE(eventually([&] { return derived_count(track) >= 20; }));
  finish_work();
  std::vector<int64_t> expected, got;
  for (size_t i = 0; i < source.frames.size(); i += 2) expected.push_back(source.frames[i].pts());
  for (const auto& f : derived_[track]) got.push_back(f->pts());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(derived_tracks().at(0).frame_rate, 30);
}

TEST_F(StreamTranscoderTest, FixedKeyframeIntervalIsTheSameForEveryRendition) {
  auto source = test::encode_sequence({.frames = 60, .gop = 30});
  StreamTranscoderOptions options = never_behind();
  options.keyframe_interval_s = 0.5;
  start({true, two_rungs()}, options, source);
  publish(source.frames);
  uint32_t first = media::kFirstDerivedTrackId;
  // The decoder holds back the last picture until more input comes.
  ASSERT_TRUE(eventually([&] { return derived_count(first) >= 59 && derived_count(first + 1) >= 59; }));
  finish_work();
  // The first frame, then the first frame at or after each multiple of 0.5 s (45000 ticks).
  std::set<int64_t> expected{source.frames[0].pts()};
  for (int64_t boundary = 45'000; boundary <= source.frames.back().pts(); boundary += 45'000) {
    expected.insert((boundary + 2999) / 3000 * 3000);  // frames are every 3000 ticks
  }
  for (uint32_t id : {first, first + 1}) {
    std::set<int64_t> keys;
    for (const auto& f : derived_[id]) {
      if (f->keyframe) keys.insert(f->pts());
    }
    EXPECT_EQ(keys, expected);
  }
}

TEST_F(StreamTranscoderTest, PassthroughOnlyPlansDecodeNothing) {
  auto source = test::encode_sequence({.width = 320, .height = 180, .frames = 15});
  // Rungs all above the source: the plan is the source alone.
  start({true, Ladder{true, {{"720p", 720, 2500, 30}}}}, {}, source);
  publish(source.frames);
  finish_work();
  auto live = status_.find("cam");
  ASSERT_TRUE(live.has_value());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_TRUE((*live)[0].plan.passthrough);
  EXPECT_TRUE(derived_tracks().empty());
  EXPECT_EQ(counter("vela_transcode_work_microseconds_total"), 0u);
}

TEST_F(StreamTranscoderTest, DisabledOrRunglessLaddersStartNoTranscoder) {
  auto source = test::encode_sequence({.frames = 15});
  start({false, two_rungs()}, {}, source);
  publish(source.frames);
  finish_work();
  EXPECT_FALSE(status_.find("cam").has_value());
  EXPECT_TRUE(derived_tracks().empty());

  LadderSettings passthrough_only({true, Ladder{true, {}}}, {});
  TranscodeObserver observer(shards_, workers_, passthrough_only, status_, {}, metrics_);
  auto other = registry_.claim("other", 0);
  ASSERT_TRUE(other.ok());
  on_shard(shards_, [&] {
    observer.on_publish_start(*other);
    (*other)->end();
    observer.on_publish_end(*other);
  });
  registry_.release(*other);
  EXPECT_FALSE(status_.find("other").has_value());
}

TEST_F(StreamTranscoderTest, ABlockedWorkerNeverBlocksIngestAndDropsAreCounted) {
  auto source = test::encode_sequence({.frames = 90, .gop = 30});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(workers_.submit([released] { released.wait(); }));  // the only worker is busy
  // A queue of 0.2 s (6 frames) and no overload drops, so only the queue drops.
  StreamTranscoderOptions options = never_behind();
  options.queue_s = 0.2;
  start({true, two_rungs()}, options, source);
  publish(source.frames);  // returns although nothing can be transcoded
  uint64_t dropped = counter("vela_transcode_dropped_frames_total");
  EXPECT_GE(dropped, 84u);  // 90 frames, at most 6 queued
  release.set_value();
  uint32_t first = media::kFirstDerivedTrackId;
  ASSERT_TRUE(eventually([&] { return derived_count(first) > 0; }));
  finish_work();
  // What was kept resumes at a source keyframe, and each rendition's first frame is one.
  const auto& frames = derived_[first];
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_TRUE(keyframe_pts(source.frames).contains(frames.front()->pts()));
  EXPECT_LE(frames.size(), 6u);
}

TEST_F(StreamTranscoderTest, ShedsTheMostExpensiveRenditionWhenBehind) {
  auto source = test::encode_sequence({.frames = 30, .gop = 15});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(workers_.submit([released] { released.wait(); }));
  // Everything queues while the worker is blocked, so the job starts 1 s behind.
  StreamTranscoderOptions options;
  options.overload = {.drop_frames_lag_s = 1000, .shed_lag_s = 0.1, .shed_after_s = 0, .recover_after_s = 1000};
  start({true, two_rungs()}, options, source);
  publish(source.frames);
  release.set_value();
  uint32_t first = media::kFirstDerivedTrackId;
  ASSERT_TRUE(eventually([&] { return derived_count(first + 1) >= 29; }));
  finish_work();
  auto live = status_.find("cam");
  ASSERT_TRUE(live.has_value());
  EXPECT_FALSE((*live)[1].running);  // 240p, the most expensive, shed
  EXPECT_TRUE((*live)[2].running);   // at least one always runs
  // The stream's own series, shown while its transcoder runs.
  EXPECT_NE(metrics_.render().find("vela_transcode_shed_renditions{stream=\"cam\"} 1\n"), std::string::npos)
      << metrics_.render();
  EXPECT_LT(derived_count(first), derived_count(first + 1));
}

}  // namespace
}  // namespace vela::transcode
