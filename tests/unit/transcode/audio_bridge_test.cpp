#include "transcode/audio_bridge.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <numbers>
#include <thread>
#include <vector>

#include "base/time.hpp"
#include "media/codec/aac.hpp"
#include "router/stream_registry.hpp"
#include "transcode/audio_bridge_job.hpp"
#include "transcode/audio_bridge_transcoder.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode {
namespace {

using namespace std::chrono_literals;

constexpr double kBurstAt = 2.0;      // seconds into the signal
constexpr double kBurstLength = 0.4;
constexpr float kBurstThreshold = 0.2f;

// Silence with a 1 kHz burst (amplitude 0.5) from `at` to `at + length` seconds.
float burst(double t, double at = kBurstAt) {
  if (t < at || t >= at + kBurstLength) return 0;
  return static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * 1000 * (t - at)));
}

struct Encoded {
  media::TrackInfo track;
  std::vector<media::FramePtr> frames;
};

// `seconds` of `signal` in every channel, encoded with FFmpeg's `encoder`; each frame's dts is
// `first_dts` plus the samples before it (the encoder's priming included, as a WebRTC sender
// or an RTMP encoder stamps them). Opus goes without an OpusHead, as from WebRTC.
Encoded encode(const char* encoder, media::Codec codec, int rate, double seconds, int64_t first_dts,
               const std::function<float(double)>& signal) {
  const AVCodec* found = avcodec_find_encoder_by_name(encoder);
  EXPECT_NE(found, nullptr) << encoder;
  if (!found) return {};
  CodecContextPtr context(avcodec_alloc_context3(found));
  context->sample_rate = rate;
  av_channel_layout_default(&context->ch_layout, 2);
  context->sample_fmt = codec == media::Codec::aac ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT;
  context->bit_rate = 128'000;
  context->time_base = {1, rate};
  context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  EXPECT_GE(avcodec_open2(context.get(), found, nullptr), 0);
  Encoded out;
  if (codec == media::Codec::aac) {
    out.track = *media::codec::make_aac_track(
        1, base::Buffer::copy_of({context->extradata, static_cast<size_t>(context->extradata_size)}));
  } else {
    out.track.id = 1;
    out.track.kind = media::MediaKind::audio;
    out.track.codec = media::Codec::opus;
    out.track.timescale = rate;
    out.track.codec_string = "opus";
    out.track.sample_rate = static_cast<uint32_t>(rate);
    out.track.channels = 2;
  }
  int64_t samples = 0;
  AvPacketPtr packet(av_packet_alloc());
  auto drain = [&] {
    while (avcodec_receive_packet(context.get(), packet.get()) == 0) {
      auto frame = std::make_shared<media::MediaFrame>();
      frame->track_id = 1;
      frame->dts = first_dts + samples;
      frame->keyframe = true;
      frame->payload = base::Buffer::copy_of({packet->data, static_cast<size_t>(packet->size)});
      samples += context->frame_size;
      out.frames.push_back(std::move(frame));
      av_packet_unref(packet.get());
    }
  };
  const int total = static_cast<int>(seconds * rate);
  for (int start = 0; start < total; start += context->frame_size) {
    AvFramePtr frame(av_frame_alloc());
    frame->format = context->sample_fmt;
    frame->sample_rate = rate;
    frame->nb_samples = std::min(context->frame_size, total - start);
    av_channel_layout_copy(&frame->ch_layout, &context->ch_layout);
    EXPECT_GE(av_frame_get_buffer(frame.get(), 0), 0);
    auto* planes = reinterpret_cast<float**>(frame->extended_data);
    for (int i = 0; i < frame->nb_samples; ++i) {
      float v = signal(static_cast<double>(start + i) / rate);
      for (int c = 0; c < 2; ++c) {
        if (codec == media::Codec::aac) planes[c][i] = v;
        else planes[0][i * 2 + c] = v;
      }
    }
    frame->pts = start;
    EXPECT_GE(avcodec_send_frame(context.get(), frame.get()), 0);
    drain();
  }
  avcodec_send_frame(context.get(), nullptr);
  drain();
  return out;
}

// Decodes `frames` (contiguous) from the first and returns, in the track's timescale, the
// time of the first sample louder than kBurstThreshold: frames[0]'s dts plus its index.
std::optional<int64_t> burst_onset(const media::TrackInfo& track, const std::vector<media::FramePtr>& frames) {
  if (frames.empty()) return std::nullopt;
  const AVCodec* codec = avcodec_find_decoder(track.codec == media::Codec::aac ? AV_CODEC_ID_AAC : AV_CODEC_ID_OPUS);
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!track.codec_config.empty()) {
    context->extradata = static_cast<uint8_t*>(av_mallocz(track.codec_config.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::memcpy(context->extradata, track.codec_config.data(), track.codec_config.size());
    context->extradata_size = static_cast<int>(track.codec_config.size());
  }
  context->sample_rate = static_cast<int>(track.sample_rate);
  av_channel_layout_default(&context->ch_layout, static_cast<int>(track.channels));
  EXPECT_GE(avcodec_open2(context.get(), codec, nullptr), 0);
  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr decoded(av_frame_alloc());
  int64_t index = 0;
  for (const auto& frame : frames) {
    av_new_packet(packet.get(), static_cast<int>(frame->payload.size()));
    std::memcpy(packet->data, frame->payload.data(), frame->payload.size());
    EXPECT_GE(avcodec_send_packet(context.get(), packet.get()), 0);
    av_packet_unref(packet.get());
    while (avcodec_receive_frame(context.get(), decoded.get()) == 0) {
      auto* first = reinterpret_cast<const float*>(decoded->extended_data[0]);
      for (int i = 0; i < decoded->nb_samples; ++i, ++index) {
        if (std::abs(first[i]) > kBurstThreshold) return frames.front()->dts + index;
      }
      av_frame_unref(decoded.get());
    }
  }
  return std::nullopt;
}

std::vector<media::FramePtr> bridge_all(AudioBridgeTranscoder& bridge, const std::vector<media::FramePtr>& in) {
  std::vector<media::FramePtr> out;
  for (const auto& frame : in) {
    auto produced = bridge.push(*frame, false);
    EXPECT_TRUE(produced.ok()) << produced.error().message;
    if (produced.ok()) out.insert(out.end(), produced->begin(), produced->end());
  }
  return out;
}

AudioTranscodeOptions to_opus() {
  return {.target = media::Codec::opus, .track_id = media::kFirstAudioBridgeTrackId, .bitrate = 96'000};
}
AudioTranscodeOptions to_aac() {
  return {.target = media::Codec::aac, .track_id = media::kFirstAudioBridgeTrackId, .bitrate = 128'000,
          .aac_sample_rate = 48'000};
}

void expect_contiguous(const std::vector<media::FramePtr>& frames, int64_t step) {
  for (size_t i = 1; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i]->dts - frames[i - 1]->dts, step) << "frame " << i;
  }
}

TEST(AudioBridgeTranscoder, AacToOpusKeepsTheSourceClockPrimingIncluded) {
  keep_ffmpeg_logs_to_warnings();
  const int64_t first = 10 * 44'100;  // 10 s into the stream
  auto source = encode("aac", media::Codec::aac, 44'100, 3, first, [](double t) { return burst(t); });
  ASSERT_FALSE(source.frames.empty());
  AudioBridgeTranscoder bridge(source.track, to_opus(), "audio-opus");
  auto out = bridge_all(bridge, source.frames);
  ASSERT_TRUE(bridge.track());
  const auto& track = *bridge.track();
  EXPECT_EQ(track.id, media::kFirstAudioBridgeTrackId);
  EXPECT_EQ(track.codec, media::Codec::opus);
  EXPECT_EQ(track.codec_string, "opus");
  EXPECT_EQ(track.rendition, "audio-opus");
  EXPECT_EQ(track.timescale, 48'000);
  ASSERT_EQ(track.codec_config.size(), 19u);
  EXPECT_EQ(track.codec_config.data()[10] | (track.codec_config.data()[11] << 8), 0) << "pre-skip is in the dts";

  ASSERT_GT(out.size(), 100u);
  // libopus primes 312 samples: the first frame starts that much before the source's first.
  EXPECT_EQ(out.front()->dts, 480'000 - 312);
  expect_contiguous(out, 960);
  for (const auto& f : out) EXPECT_EQ(f->track_id, media::kFirstAudioBridgeTrackId);
  // Lip sync: the burst plays at the same time from the source and from the derived track.
  auto in_onset = burst_onset(source.track, source.frames);
  auto out_onset = burst_onset(track, out);
  ASSERT_TRUE(in_onset && out_onset);
  int64_t expected = base::rescale(*in_onset, 44'100, 48'000);
  EXPECT_NEAR(static_cast<double>(*out_onset), static_cast<double>(expected), 48 * 3) << "within 3 ms";
  EXPECT_EQ(bridge.restarts(), 0u);
}

TEST(AudioBridgeTranscoder, OpusToAacKeepsTheSourceClockPrimingIncluded) {
  keep_ffmpeg_logs_to_warnings();
  const int64_t first = 10 * 48'000;
  auto source = encode("libopus", media::Codec::opus, 48'000, 3, first, [](double t) { return burst(t); });
  ASSERT_FALSE(source.frames.empty());
  AudioBridgeTranscoder bridge(source.track, to_aac(), "audio-aac");
  auto out = bridge_all(bridge, source.frames);
  ASSERT_TRUE(bridge.track());
  const auto& track = *bridge.track();
  EXPECT_EQ(track.codec, media::Codec::aac);
  EXPECT_EQ(track.codec_string, "mp4a.40.2");
  EXPECT_EQ(track.rendition, "audio-aac");
  EXPECT_EQ(track.timescale, 48'000);
  EXPECT_EQ(track.channels, 2u);
  ASSERT_GT(out.size(), 100u);
  EXPECT_EQ(out.front()->dts, first - 1024) << "AAC primes a whole frame";
  expect_contiguous(out, 1024);
  auto in_onset = burst_onset(source.track, source.frames);
  auto out_onset = burst_onset(track, out);
  ASSERT_TRUE(in_onset && out_onset);
  EXPECT_NEAR(static_cast<double>(*out_onset), static_cast<double>(*in_onset), 48 * 3) << "within 3 ms";
}

TEST(AudioBridgeTranscoder, NothingBeforeTimeZero) {
  keep_ffmpeg_logs_to_warnings();
  auto source = encode("libopus", media::Codec::opus, 48'000, 0.5, 0, [](double) { return 0.f; });
  AudioBridgeTranscoder bridge(source.track, to_aac(), "audio-aac");
  auto out = bridge_all(bridge, source.frames);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front()->dts, 0) << "the priming frame at -1024 is not emitted";
}

TEST(AudioBridgeTranscoder, AHoleInTheSourceRestartsTheTimelineThere) {
  keep_ffmpeg_logs_to_warnings();
  const int64_t first = 48'000;
  // The burst comes after the hole: it must still play when the source says.
  auto source = encode("libopus", media::Codec::opus, 48'000, 4, first, [](double t) { return burst(t, 3.0); });
  std::vector<media::FramePtr> holed;
  for (const auto& f : source.frames) {
    double t = static_cast<double>(f->dts - first) / 48'000;
    if (t < 1.0 || t >= 1.5) holed.push_back(f);  // 500 ms lost
  }
  AudioBridgeTranscoder bridge(source.track, to_aac(), "audio-aac");
  auto out = bridge_all(bridge, holed);
  EXPECT_EQ(bridge.restarts(), 1u);
  size_t jumps = 0;
  for (size_t i = 1; i < out.size(); ++i) {
    int64_t step = out[i]->dts - out[i - 1]->dts;
    ASSERT_GE(step, 1024);
    if (step > 1024) {
      ++jumps;
      EXPECT_NEAR(static_cast<double>(out[i]->dts), first + 1.5 * 48'000 - 1024, 1024) << "resumes where the source does";
    }
  }
  EXPECT_EQ(jumps, 1u);
  // After the hole: the burst lines up with the source's.
  std::vector<media::FramePtr> in_after(holed.end() - 100, holed.end()), out_after(out.end() - 80, out.end());
  auto in_onset = burst_onset(source.track, in_after);
  auto out_onset = burst_onset(*bridge.track(), out_after);
  ASSERT_TRUE(in_onset && out_onset);
  EXPECT_NEAR(static_cast<double>(*out_onset), static_cast<double>(*in_onset), 48 * 3);
}

TEST(AudioBridgeTranscoder, ScatteredLossesDoNotAccumulateIntoDrift) {
  keep_ffmpeg_logs_to_warnings();
  const int64_t first = 44'100;
  auto source = encode("aac", media::Codec::aac, 44'100, 8, first, [](double t) { return burst(t, 7.0); });
  std::vector<media::FramePtr> lossy;
  for (size_t i = 0; i < source.frames.size(); ++i) {
    if (i % 10 != 5) lossy.push_back(source.frames[i]);  // 10% lost: ~0.8 s by the burst
  }
  AudioBridgeTranscoder bridge(source.track, to_opus(), "audio-opus");
  auto out = bridge_all(bridge, lossy);
  EXPECT_GE(bridge.restarts(), 2u);
  for (size_t i = 1; i < out.size(); ++i) ASSERT_GT(out[i]->dts, out[i - 1]->dts);
  // Each restart begins a contiguous run; the first run that holds the burst says when it plays.
  std::optional<int64_t> out_onset;
  for (size_t begin = 0, end = 1; begin < out.size() && !out_onset; begin = end++) {
    while (end < out.size() && out[end]->dts - out[end - 1]->dts == 960) ++end;
    out_onset = burst_onset(*bridge.track(), std::vector<media::FramePtr>(out.begin() + static_cast<std::ptrdiff_t>(begin),
                                                                          out.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  auto in_onset = burst_onset(source.track, std::vector<media::FramePtr>(source.frames.end() - 60, source.frames.end()));
  ASSERT_TRUE(in_onset && out_onset);
  // Without restarts the burst would come ~0.7 s early.
  EXPECT_NEAR(static_cast<double>(*out_onset), static_cast<double>(base::rescale(*in_onset, 44'100, 48'000)),
              48 * 100) << "within the 80 ms a jump may reach before the bridge restarts, and a frame";
}

TEST(AudioBridgeTranscoder, ASourceItCannotDecodeIsAnErrorEachTime) {
  media::TrackInfo bad;
  bad.kind = media::MediaKind::audio;
  bad.codec = media::Codec::aac;
  bad.timescale = 44'100;
  bad.codec_config = base::Buffer::copy_of(std::string_view("\xff\xff\xff\xff", 4));
  AudioBridgeTranscoder bridge(bad, to_opus(), "audio-opus");
  media::MediaFrame frame;
  frame.payload = base::Buffer::copy_of("x");
  EXPECT_FALSE(bridge.push(frame, false).ok());
  EXPECT_FALSE(bridge.push(frame, false).ok());
  EXPECT_FALSE(bridge.track());
}

TEST(AudioBridgeJob, ABusyWorkerDropsTheOldestFramesAndCountsThem) {
  keep_ffmpeg_logs_to_warnings();
  auto source = encode("aac", media::Codec::aac, 48'000, 1, 0, [](double t) { return burst(t, 0); });
  ASSERT_GE(source.frames.size(), 40u);
  base::MetricsRegistry registry;
  AudioBridgeMetrics metrics(registry);
  std::vector<media::FramePtr> delivered;
  std::optional<media::TrackInfo> track;
  std::mutex mutex;
  {
    runtime::WorkerPool workers(1, 64);
    std::promise<void> release;
    workers.submit([future = release.get_future().share()] { future.wait(); });  // the worker is busy
    auto job = std::make_shared<AudioBridgeJob>("s", AudioBridgeTranscoder(source.track, to_opus(), "audio-opus"), 10,
                                                workers, metrics, [&](AudioBridgeOutput&& out) {
                                                  std::lock_guard lock(mutex);
                                                  if (out.track) track = out.track;
                                                  delivered.insert(delivered.end(), out.frames.begin(), out.frames.end());
                                                });
    for (size_t i = 0; i < 40; ++i) job->push(source.frames[i]);
    EXPECT_EQ(metrics.dropped.value(), 30u);
    release.set_value();
    workers.join();
  }
  ASSERT_TRUE(track);
  EXPECT_EQ(track->codec, media::Codec::opus);
  // The 10 newest frames (about 213 ms) were transcoded, from the source time of the first.
  ASSERT_GE(delivered.size(), 5u);
  EXPECT_LE(delivered.size(), 11u);
  EXPECT_NEAR(static_cast<double>(delivered.front()->dts), 30 * 1024 - 312, 960);
  EXPECT_GT(metrics.frames.value(), 0u);
  EXPECT_GT(metrics.work_us.value(), 0u);
}

// The observer on a real stream: one shard, one worker.
class AudioBridgeTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    if (stream_) {
      on_shard([&] {
        stream_->unsubscribe(0, viewer_);
        stream_->end();
        bridge_.on_publish_end(stream_);
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

  void publish(const Encoded& source) {
    auto claimed = registry_.claim("cam", 0);
    ASSERT_TRUE(claimed.ok());
    stream_ = *claimed;
    on_shard([&] {
      bridge_.on_publish_start(stream_);
      stream_->set_tracks({source.track});
      viewer_ = stream_->subscribe(0, 100'000, [this] {
        while (auto frame = viewer_->pop()) {
          if (media::is_derived_track(frame->track_id)) derived_.push_back(frame);
        }
      }, /*with_derived=*/true);
      for (const auto& f : source.frames) stream_->publish(f);
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
  std::vector<media::TrackInfo> derived_tracks() {
    std::vector<media::TrackInfo> tracks;
    on_shard([&] { tracks = stream_->derived_tracks(0); });
    return tracks;
  }

  runtime::ShardSet shards_{1};
  runtime::WorkerPool workers_{1, 64};
  router::StreamRegistry registry_{shards_, {}};
  base::MetricsRegistry metrics_;
  AudioBridge bridge_{shards_, workers_, AudioBridgeOptions{}, metrics_};
  std::shared_ptr<router::Stream> stream_;
  std::shared_ptr<router::Subscription> viewer_;
  std::vector<media::FramePtr> derived_;  // shard 0 only
};

TEST_F(AudioBridgeTest, AnAacStreamGetsADerivedOpusTrack) {
  keep_ffmpeg_logs_to_warnings();
  auto source = encode("aac", media::Codec::aac, 44'100, 1, 44'100, [](double) { return 0.f; });
  publish(source);
  auto frames = derived_frames(40);
  ASSERT_GE(frames.size(), 40u);
  auto tracks = derived_tracks();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].id, media::kFirstAudioBridgeTrackId);
  EXPECT_EQ(tracks[0].codec, media::Codec::opus);
  EXPECT_EQ(tracks[0].rendition, "audio-opus");
  EXPECT_EQ(tracks[0].bitrate, 96'000u);
  EXPECT_EQ(frames.front()->dts, 48'000 - 312);
  for (const auto& f : frames) EXPECT_EQ(f->track_id, media::kFirstAudioBridgeTrackId);
}

TEST_F(AudioBridgeTest, AnOpusStreamGetsADerivedAacTrack) {
  keep_ffmpeg_logs_to_warnings();
  auto source = encode("libopus", media::Codec::opus, 48'000, 1, 48'000, [](double) { return 0.f; });
  publish(source);
  auto frames = derived_frames(40);
  ASSERT_GE(frames.size(), 40u);
  auto tracks = derived_tracks();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].codec, media::Codec::aac);
  EXPECT_EQ(tracks[0].codec_string, "mp4a.40.2");
  EXPECT_EQ(tracks[0].sample_rate, 48'000u);
  EXPECT_EQ(tracks[0].rendition, "audio-aac");
  EXPECT_EQ(frames.front()->dts, 48'000 - 1024);
  EXPECT_EQ(metrics_.counter("vela_audio_bridge_dropped_frames_total", "").value(), 0u);
}

}  // namespace
}  // namespace vela::transcode
