#include "transcode/stream_transcoder.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace vela::transcode {

namespace {

constexpr double kAssumedFps = 60;  // for the queue bound when the source does not say

std::string stream_label(const std::string& stream) { return "stream=\"" + stream + "\""; }

}  // namespace

StreamTranscoder::StreamTranscoder(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                                   runtime::WorkerPool& workers, TranscodeMetrics& metrics,
                                   TranscodeStatus& status, StreamTranscoderOptions options)
    : stream_(std::move(stream)),
      shards_(shards),
      workers_(workers),
      metrics_(metrics),
      status_(status),
      options_(std::move(options)) {}

void StreamTranscoder::start() {
  std::weak_ptr<StreamTranscoder> weak = weak_from_this();
  subscription_ = stream_->subscribe(stream_->home_shard(), options_.subscription_frames, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
}

void StreamTranscoder::stop() {
  if (stopped_) return;
  stopped_ = true;
  unsubscribe();
  if (job_) {
    job_->stop();
    // Closing the encoders is work too: the pool drops the last reference (here if it is full).
    workers_.submit([job = std::move(job_)] {});
  }
  // The stream's series leave /metrics once the job (which updates lag) is gone too.
  lag_ms_.reset();
  shed_.reset();
  status_.remove(stream_->name());
}

void StreamTranscoder::unsubscribe() {
  if (subscription_) stream_->unsubscribe(stream_->home_shard(), subscription_);
  subscription_.reset();
}

void StreamTranscoder::drain() {
  while (!stopped_ && subscription_) {
    media::FramePtr frame = subscription_->pop();
    if (!frame) return;
    const auto* track = media::find_h264_video_track(stream_->tracks(stream_->home_shard()), frame->track_id);
    if (track) on_source_video(*track, frame);
  }
}

void StreamTranscoder::on_source_video(const media::TrackInfo& track, const media::FramePtr& frame) {
  if (!planned_) plan(track);
  if (job_) job_->push(frame, track.codec_config);
}

void StreamTranscoder::plan(const media::TrackInfo& track) {
  planned_ = true;
  const std::string& name = stream_->name();
  auto planned = plan_ladder({track.width, track.height, track.frame_rate}, options_.ladder);
  std::vector<RenditionStatus> states;
  for (const auto& r : planned) {
    states.push_back({r, true});
    if (!r.passthrough) renditions_.push_back(r);
  }
  status_.set(name, std::move(states));
  if (renditions_.empty()) {
    spdlog::info("transcode stream={} source {}x{}: passthrough only, nothing to transcode", name, track.width,
                 track.height);
    unsubscribe();
    return;
  }
  std::string list;
  for (const auto& r : renditions_) {
    list += fmt::format(" {}={}x{}@{}kbps/{}", r.name, r.size.width, r.size.height, r.video_kbps, r.frame_step);
    encoded_.push_back(&metrics_.registry.counter("vela_transcode_frames_encoded_total",
                                                  "Frames encoded per rendition (all streams)",
                                                  "rendition=\"" + r.name + "\""));
  }
  spdlog::info("transcode stream={} source {}x{}@{:.3g}fps:{}", name, track.width, track.height, track.frame_rate,
               list);
  lag_ms_ = metrics_.registry.scoped_gauge("vela_transcode_lag_milliseconds",
                                     "How far a stream's transcoder is behind its newest source frame",
                                     stream_label(name));
  shed_ = metrics_.registry.scoped_gauge("vela_transcode_shed_renditions",
                                   "Renditions a stream's transcoder has stopped because it fell behind",
                                   stream_label(name));
  PipelineOptions pipeline{renditions_, std::nullopt, options_.preset, options_.encoder_threads, options_.overload};
  if (options_.keyframe_interval_s > 0) {
    pipeline.keyframe_interval = std::llround(options_.keyframe_interval_s * media::kVideoTimescale);
  }
  double fps = track.frame_rate > 0 ? track.frame_rate : kAssumedFps;
  auto capacity = static_cast<size_t>(std::ceil(options_.queue_s * fps));
  runtime::Shard& home = shards_.at(stream_->home_shard());
  std::weak_ptr<StreamTranscoder> weak = weak_from_this();
  job_ = std::make_shared<TranscodeJob>(name, std::move(pipeline), capacity, workers_, metrics_, lag_ms_,
                                        [&home, weak](PipelineOutput&& out) {
                                          home.post([weak, out = std::move(out)]() mutable {
                                            if (auto self = weak.lock()) self->deliver(std::move(out));
                                          });
                                        });
}

void StreamTranscoder::deliver(PipelineOutput out) {
  if (stopped_) return;
  const std::string& name = stream_->name();
  if (out.tracks) stream_->set_derived_tracks("ladder", std::move(*out.tracks));
  for (auto& [rendition, frame] : out.frames) {
    stream_->publish(frame);
    encoded_[rendition]->add();
  }
  for (const auto& r : out.shed) {
    spdlog::warn("transcode stream={}: behind real time, shedding rendition {}", name, r);
    status_.set_running(name, r, false);
    shed_->add(1);
  }
  for (const auto& r : out.restored) {
    spdlog::info("transcode stream={}: caught up, restoring rendition {}", name, r);
    status_.set_running(name, r, true);
    shed_->add(-1);
  }
}

}  // namespace vela::transcode
