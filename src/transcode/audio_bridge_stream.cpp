#include "transcode/audio_bridge_stream.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vela::transcode {

namespace {

bool same_source(const media::TrackInfo& a, const media::TrackInfo& b) {
  auto x = a.codec_config.span();
  auto y = b.codec_config.span();
  return a.id == b.id && a.codec == b.codec && a.timescale == b.timescale && a.channels == b.channels &&
         std::equal(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace

StreamAudioBridge::StreamAudioBridge(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                                     runtime::WorkerPool& workers, AudioBridgeMetrics& metrics,
                                     AudioBridgeOptions options)
    : stream_(std::move(stream)), shards_(shards), workers_(workers), metrics_(metrics), options_(options) {}

void StreamAudioBridge::start() {
  std::weak_ptr<StreamAudioBridge> weak = weak_from_this();
  subscription_ = stream_->subscribe(stream_->home_shard(), options_.subscription_frames, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
}

void StreamAudioBridge::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (subscription_) stream_->unsubscribe(stream_->home_shard(), subscription_);
  subscription_.reset();
  if (job_) {
    job_->stop();
    // Closing the codecs is work too: the pool drops the last reference (here if it is full).
    workers_.submit([job = std::move(job_)] {});
  }
}

void StreamAudioBridge::drain() {
  while (!stopped_ && subscription_) {
    media::FramePtr frame = subscription_->pop();
    if (!frame) return;
    const auto& tracks = stream_->tracks(stream_->home_shard());
    // The first audio track is the stream's audio (as the packager and WHEP take it).
    auto audio = std::find_if(tracks.begin(), tracks.end(),
                              [](const media::TrackInfo& t) { return t.kind == media::MediaKind::audio; });
    if (audio != tracks.end() && audio->id == frame->track_id) on_source_audio(*audio, frame);
  }
}

void StreamAudioBridge::on_source_audio(const media::TrackInfo& track, const media::FramePtr& frame) {
  if (!source_ || !same_source(*source_, track)) {
    source_ = track;
    if (job_) job_->stop();
    job_.reset();
    AudioTranscodeOptions target;
    target.track_id = media::kFirstAudioBridgeTrackId;
    const char* rendition = nullptr;
    if (track.codec == media::Codec::aac) {
      target.target = media::Codec::opus;
      target.bitrate = options_.opus_bitrate;
      rendition = "audio-opus";
    } else if (track.codec == media::Codec::opus) {
      target.target = media::Codec::aac;
      target.bitrate = options_.aac_bitrate;
      target.aac_sample_rate = 48'000;
      rendition = "audio-aac";
    } else {
      return;
    }
    spdlog::info("audio bridge stream={}: {} -> {}", stream_->name(), track.codec_string, rendition);
    uint64_t number = ++job_number_;
    runtime::Shard& home = shards_.at(stream_->home_shard());
    std::weak_ptr<StreamAudioBridge> weak = weak_from_this();
    job_ = std::make_shared<AudioBridgeJob>(
        stream_->name(), AudioBridgeTranscoder(track, target, rendition), options_.queue_frames, workers_, metrics_,
        [&home, weak, number](AudioBridgeOutput&& out) {
          home.post([weak, number, out = std::move(out)]() mutable {
            if (auto self = weak.lock()) self->deliver(number, std::move(out));
          });
        });
  }
  if (job_) job_->push(frame);
}

void StreamAudioBridge::deliver(uint64_t job, AudioBridgeOutput out) {
  if (stopped_ || job != job_number_) return;
  if (out.track) stream_->set_derived_tracks(kAudioBridgeProducer, {*out.track});
  for (const auto& frame : out.frames) stream_->publish(frame);
}

}  // namespace vela::transcode
