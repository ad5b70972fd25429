#include "transcode/bframe_free_stream.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace vela::transcode {

namespace {

constexpr double kAssumedFps = 60;  // for the queue bound when the source does not say

}  // namespace

StreamBframeFree::StreamBframeFree(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                                   runtime::WorkerPool& workers, BframeFreeMetrics& metrics,
                                   BframeFreeStreamOptions options)
    : stream_(std::move(stream)), shards_(shards), workers_(workers), metrics_(metrics), options_(std::move(options)) {}

void StreamBframeFree::start() {
  std::weak_ptr<StreamBframeFree> weak = weak_from_this();
  subscription_ = stream_->subscribe(stream_->home_shard(), options_.subscription_frames, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
}

void StreamBframeFree::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (subscription_) stream_->unsubscribe(stream_->home_shard(), subscription_);
  subscription_.reset();
  held_.clear();
  if (job_) {
    job_->stop();
    metrics_.streams.add(-1);
    // Closing the codecs is work too: the pool drops the last reference (here if it is full).
    workers_.submit([job = std::move(job_)] {});
  }
}

void StreamBframeFree::drain() {
  while (!stopped_ && subscription_) {
    media::FramePtr frame = subscription_->pop();
    if (!frame) return;
    const auto* track = media::find_h264_video_track(stream_->tracks(stream_->home_shard()), frame->track_id);
    if (track) on_source_video(*track, frame);
  }
}

void StreamBframeFree::on_source_video(const media::TrackInfo& track, const media::FramePtr& frame) {
  if (!job_) {
    // A keyframe starts a new GOP, possibly with a new track configuration.
    if (frame->keyframe) held_.clear();
    if (frame->cts == 0) {
      // No reordering so far: only keep the GOP, in case a later frame of it has B-frames.
      if (frame->keyframe || (!held_.empty() && held_.size() < options_.max_held_frames)) held_.push_back(frame);
      else held_.clear();  // too long a GOP to hold: a re-encode starts at the next keyframe
      return;
    }
    start_job(track);
  }
  job_->push({frame, track.codec_config, track.bitrate, track.frame_rate});
}

void StreamBframeFree::start_job(const media::TrackInfo& track) {
  const std::string& name = stream_->name();
  spdlog::info("stream {} has B-frames: re-encoding for WebRTC ({}x{}, {})", name, track.width, track.height,
               track.bitrate > 0 ? fmt::format("{} kbps", track.bitrate / 1000) : std::string("bitrate measured"));
  metrics_.streams.add(1);
  double fps = track.frame_rate > 0 ? track.frame_rate : kAssumedFps;
  auto capacity = static_cast<size_t>(std::ceil(options_.queue_s * fps));
  runtime::Shard& home = shards_.at(stream_->home_shard());
  std::weak_ptr<StreamBframeFree> weak = weak_from_this();
  job_ = std::make_shared<BframeFreeJob>(name, options_.encoder, capacity, workers_, metrics_,
                                         [&home, weak](BframeFreeOutput&& out) {
                                           home.post([weak, out = std::move(out)]() mutable {
                                             if (auto self = weak.lock()) self->deliver(std::move(out));
                                           });
                                         });
  // The held frames are this GOP's, from its keyframe on: the same track configuration.
  for (const auto& held : held_) job_->push({held, track.codec_config, track.bitrate, track.frame_rate});
  held_.clear();
}

void StreamBframeFree::deliver(BframeFreeOutput out) {
  if (stopped_) return;
  if (out.track) stream_->set_derived_tracks(kBframeFreeProducer, {*out.track});
  for (const auto& frame : out.frames) stream_->publish(frame);
}

}  // namespace vela::transcode
