#include "transcode/bframe_free_video.hpp"

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <set>
#include <thread>

#include "h264_test_sequence.hpp"
#include "router/stream_registry.hpp"
#include "transcode/bframe_free_encoder.hpp"
#include "transcode/video_decoder.hpp"

namespace vela::transcode {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kTick = 3000;  // one frame at 30 fps, 90 kHz

std::set<int64_t> keyframe_pts(const std::vector<media::MediaFrame>& frames) {
  std::set<int64_t> out;
  for (const auto& f : frames) {
    if (f.keyframe) out.insert(f.pts());
  }
  return out;
}

std::vector<int64_t> all_pts(const std::vector<media::MediaFrame>& frames) {
  std::vector<int64_t> out;
  for (const auto& f : frames) out.push_back(f.pts());
  std::sort(out.begin(), out.end());
  return out;
}

// The derived frames have no B-frames (cts 0, dts strictly increasing) and decode in order at
// the track's size.
void expect_playable_without_reordering(const media::TrackInfo& track, const std::vector<media::FramePtr>& frames) {
  ASSERT_FALSE(frames.empty());
  auto decoder = H264StreamDecoder::open(track.codec_config.span());
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  int64_t last = -1;
  std::vector<int64_t> sent, decoded;
  for (const auto& frame : frames) {
    EXPECT_EQ(frame->track_id, track.id);
    EXPECT_EQ(frame->cts, 0);
    EXPECT_GT(frame->dts, last);
    last = frame->dts;
    sent.push_back(frame->dts);
    auto status = decoder->decode(frame->payload.span(), frame->pts(), frame->dts, [&](const AVFrame& picture) {
      EXPECT_EQ(picture.width, static_cast<int>(track.width));
      EXPECT_EQ(picture.height, static_cast<int>(track.height));
      decoded.push_back(picture.pts);
    });
    EXPECT_TRUE(status.ok());
  }
  // Every frame decodes, in the order sent (the decoder's thread holds back the last one).
  ASSERT_GE(decoded.size() + 1, sent.size());
  sent.resize(decoded.size());
  EXPECT_EQ(decoded, sent);
}

struct Encoded {
  std::optional<media::TrackInfo> track;
  std::vector<media::FramePtr> frames;
  uint64_t skipped = 0;
};

Encoded reencode(BframeFreeEncoder& encoder, const test::Sequence& source) {
  Encoded out;
  for (const auto& f : source.frames) {
    BframeFreeOutput produced;
    auto status = encoder.push({std::make_shared<media::MediaFrame>(f), source.track.codec_config,
                                source.track.bitrate, source.track.frame_rate},
                               produced);
    EXPECT_TRUE(status.ok()) << status.error().message;
    if (produced.track) out.track = produced.track;
    out.frames.insert(out.frames.end(), produced.frames.begin(), produced.frames.end());
    out.skipped += produced.skipped;
  }
  return out;
}

TEST(BframeFreeEncoder, ReencodesInPresentationOrderWithKeyframesAtTheSourceOnes) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 60, .gop = 15, .bframes = 2});
  ASSERT_TRUE(std::any_of(source.frames.begin(), source.frames.end(), [](const auto& f) { return f.cts != 0; }));
  BframeFreeEncoder encoder({});
  auto out = reencode(encoder, source);
  ASSERT_TRUE(out.track);
  const auto& track = *out.track;
  EXPECT_EQ(track.id, media::kFirstWebRtcVideoTrackId);
  EXPECT_EQ(track.rendition, "webrtc");
  EXPECT_EQ(track.kind, media::MediaKind::video);
  EXPECT_EQ(track.codec, media::Codec::h264);
  EXPECT_EQ(track.timescale, media::kVideoTimescale);
  EXPECT_TRUE(track.codec_string.starts_with("avc1."));
  EXPECT_EQ(track.width, 640u);
  EXPECT_EQ(track.height, 360u);
  EXPECT_EQ(track.frame_rate, 30);
  // No nominal bitrate and not yet 3 s measured: the guess from the size, 0.1 bit per pixel.
  EXPECT_EQ(track.bitrate, 691'000u);

  // The decoder holds back the last few pictures (reorder delay); every other one comes out.
  auto source_pts = all_pts(source.frames);
  ASSERT_GE(out.frames.size(), source.frames.size() - 4);
  for (size_t i = 0; i < out.frames.size(); ++i) EXPECT_EQ(out.frames[i]->dts, source_pts[i]) << i;
  std::set<int64_t> keys;
  for (const auto& f : out.frames) {
    if (f->keyframe) keys.insert(f->pts());
  }
  EXPECT_EQ(keys, keyframe_pts(source.frames));
  EXPECT_EQ(keys, (std::set<int64_t>{2 * kTick, 17 * kTick, 32 * kTick, 47 * kTick}));
  expect_playable_without_reordering(track, out.frames);
  EXPECT_EQ(out.skipped, 0u);
  // Wall clock at the picture's presentation time, not its decode time.
  EXPECT_EQ(out.frames.front()->wall_clock_us, source.frames.front().wall_clock_us + 2 * kTick * 100 / 9);
}

TEST(BframeFreeEncoder, UsesTheSourcesNominalBitrateCapped) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.width = 320, .height = 180, .frames = 10, .gop = 10, .bframes = 2});
  source.track.bitrate = 1'500'000;
  BframeFreeEncoder encoder({});
  auto out = reencode(encoder, source);
  ASSERT_TRUE(out.track);
  EXPECT_EQ(out.track->bitrate, 1'500'000u);
  EXPECT_EQ(out.track->width, 320u);

  source.track.bitrate = 20'000'000;
  BframeFreeEncoder capped({.max_kbps = 6000});
  auto high = reencode(capped, source);
  ASSERT_TRUE(high.track);
  EXPECT_EQ(high.track->bitrate, 6'000'000u);
}

TEST(BframeFreeEncoder, MeasuredBitrateReplacesTheGuessAtASourceKeyframe) {
  keep_ffmpeg_logs_to_warnings();
  // 5 s, a keyframe every 2 s: the window is full enough (3 s) at the third keyframe.
  auto source = test::encode_sequence({.frames = 150, .gop = 60, .bframes = 2});
  BframeFreeEncoder encoder({.min_kbps = 1});
  auto out = reencode(encoder, source);
  EXPECT_EQ(encoder.reopens(), 1u);
  // What the source sent in the 4 s before that keyframe, give or take the decoder's delay.
  int64_t at = 122 * kTick;
  uint64_t bytes = 0;
  for (const auto& f : source.frames) {
    if (f.dts <= at && f.dts >= at - 4 * media::kVideoTimescale) bytes += f.payload.size();
  }
  double expected_kbps = static_cast<double>(bytes) * 8 / 4 / 1000;
  EXPECT_NEAR(encoder.kbps(), expected_kbps, expected_kbps * 0.15);
  ASSERT_TRUE(out.track);
  EXPECT_EQ(out.track->bitrate, encoder.kbps() * 1000);
  // The new encoder starts at that keyframe; the track stays one playable sequence.
  std::set<int64_t> keys;
  for (const auto& f : out.frames) {
    if (f->keyframe) keys.insert(f->pts());
  }
  EXPECT_EQ(keys, keyframe_pts(source.frames));
  expect_playable_without_reordering(*out.track, out.frames);
}

TEST(BframeFreeEncoder, NothingBeforeTheFirstKeyframe) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 30, .gop = 15, .bframes = 2});
  source.frames.erase(source.frames.begin(), source.frames.begin() + 3);  // joined mid-GOP
  BframeFreeEncoder encoder({});
  auto out = reencode(encoder, source);
  ASSERT_FALSE(out.frames.empty());
  EXPECT_TRUE(out.frames.front()->keyframe);
  EXPECT_EQ(out.frames.front()->pts(), 17 * kTick);
}

// The observer on a real stream: one shard, one worker.
class BframeFreeVideoTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    if (stream_) {
      on_shard([&] {
        stream_->unsubscribe(0, viewer_);
        stream_->end();
        video_->on_publish_end(stream_);
      });
      registry_.release(stream_);
    }
    workers_.join();
    shards_.stop();
    shards_.join();
  }

  template <class Fn>
  void on_shard(Fn fn) {
    std::promise<void> done;
    shards_.at(0).post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  void publish(const test::Sequence& source, BframeFreeStreamOptions options = {}) {
    video_.emplace(shards_, workers_, options, metrics_);
    auto claimed = registry_.claim("cam", 0);
    ASSERT_TRUE(claimed.ok());
    stream_ = *claimed;
    on_shard([&] {
      video_->on_publish_start(stream_);
      stream_->set_tracks({source.track});
      viewer_ = stream_->subscribe(0, 100'000, [this] {
        while (auto frame = viewer_->pop()) {
          if (media::is_derived_track(frame->track_id)) derived_.push_back(frame);
        }
      }, /*with_derived=*/true);
      for (const auto& f : source.frames) stream_->publish(std::make_shared<media::MediaFrame>(f));
    });
  }

  // Waits for the worker's results to reach the shard.
  std::vector<media::FramePtr> derived_frames(size_t at_least) {
    std::vector<media::FramePtr> out;
    for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
      on_shard([&] { out = derived_; });
      if (out.size() >= at_least) break;
      std::this_thread::sleep_for(20ms);
    }
    return out;
  }
  // Waits until every job has run and its results were published.
  void finish_work() {
    workers_.join();
    on_shard([] {});
  }
  std::vector<media::TrackInfo> derived_tracks() {
    std::vector<media::TrackInfo> tracks;
    on_shard([&] { tracks = stream_->derived_tracks(0); });
    return tracks;
  }
  uint64_t counter(std::string_view name) { return metrics_.counter(name, "").value(); }

  runtime::ShardSet shards_{1};
  runtime::WorkerPool workers_{1, 64};
  router::StreamRegistry registry_{shards_, {}};
  base::MetricsRegistry metrics_;
  std::optional<BframeFreeVideo> video_;
  std::shared_ptr<router::Stream> stream_;
  std::shared_ptr<router::Subscription> viewer_;
  std::vector<media::FramePtr> derived_;  // shard 0 only
};

TEST_F(BframeFreeVideoTest, ABframeSourceGetsAWebRtcTrackWithoutReordering) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 60, .gop = 15, .bframes = 2});
  publish(source);
  auto frames = derived_frames(source.frames.size() - 4);
  ASSERT_GE(frames.size(), source.frames.size() - 4);
  auto tracks = derived_tracks();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].id, media::kFirstWebRtcVideoTrackId);
  EXPECT_EQ(tracks[0].rendition, "webrtc");
  EXPECT_EQ(tracks[0].width, 640u);
  EXPECT_EQ(tracks[0].height, 360u);
  expect_playable_without_reordering(tracks[0], frames);
  std::set<int64_t> keys;
  for (const auto& f : frames) {
    if (f->keyframe) keys.insert(f->pts());
  }
  EXPECT_EQ(keys, keyframe_pts(source.frames));
  EXPECT_EQ(frames.front()->pts(), 2 * kTick);  // from the source's first frame
  // Counted on the worker before delivery to the shard: compare once all has arrived.
  finish_work();
  EXPECT_EQ(counter("vela_webrtc_reencode_frames_total"), derived_frames(0).size());
  EXPECT_EQ(counter("vela_webrtc_reencode_dropped_frames_total"), 0u);
  EXPECT_EQ(counter("vela_webrtc_reencode_failures_total"), 0u);
  EXPECT_GT(counter("vela_webrtc_reencode_work_microseconds_total"), 0u);
  EXPECT_EQ(metrics_.gauge("vela_webrtc_reencode_streams", "").value(), 1);
}

TEST_F(BframeFreeVideoTest, TheReencodeStartsAtTheKeyframeOfTheGopWhereBframesShowUp) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 30, .gop = 15, .bframes = 2});
  // The keyframe without a composition offset (as some encoders stamp it): only its
  // successors reveal the B-frames.
  source.frames[0].cts = 0;
  publish(source);
  auto frames = derived_frames(source.frames.size() - 4);
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_EQ(frames.front()->pts(), 0);
}

TEST_F(BframeFreeVideoTest, ASourceWithoutBframesIsNotDecoded) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 45, .gop = 15});
  ASSERT_TRUE(std::all_of(source.frames.begin(), source.frames.end(), [](const auto& f) { return f.cts == 0; }));
  publish(source);
  finish_work();
  EXPECT_TRUE(derived_tracks().empty());
  EXPECT_TRUE(derived_frames(0).empty());
  EXPECT_EQ(counter("vela_webrtc_reencode_work_microseconds_total"), 0u);
  EXPECT_EQ(counter("vela_webrtc_reencode_frames_total"), 0u);
  EXPECT_EQ(metrics_.gauge("vela_webrtc_reencode_streams", "").value(), 0);
}

TEST_F(BframeFreeVideoTest, ABlockedWorkerNeverBlocksIngestAndResumesAtAKeyframe) {
  keep_ffmpeg_logs_to_warnings();
  auto source = test::encode_sequence({.frames = 90, .gop = 30, .bframes = 2});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(workers_.submit([released] { released.wait(); }));  // the only worker is busy
  BframeFreeStreamOptions options;
  options.queue_s = 0.2;  // 6 frames
  publish(source, options);  // returns although nothing can be encoded
  EXPECT_GE(counter("vela_webrtc_reencode_dropped_frames_total"), 84u);
  release.set_value();
  finish_work();
  auto frames = derived_frames(1);
  ASSERT_FALSE(frames.empty());
  EXPECT_LE(frames.size(), 6u);
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_TRUE(keyframe_pts(source.frames).contains(frames.front()->pts()));
  auto tracks = derived_tracks();
  ASSERT_EQ(tracks.size(), 1u);
  expect_playable_without_reordering(tracks[0], frames);
}

}  // namespace
}  // namespace vela::transcode
