#include "transcode/audio_bridge_job.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace vela::transcode {

namespace {

namespace clock = std::chrono;

constexpr int kFramesPerRun = 8;  // then requeue, so other streams' jobs get their turn

bool same_track(const media::TrackInfo& a, const media::TrackInfo& b) {
  auto x = a.codec_config.span();
  auto y = b.codec_config.span();
  return a.id == b.id && a.codec == b.codec && a.timescale == b.timescale && std::equal(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace

AudioBridgeMetrics::AudioBridgeMetrics(base::MetricsRegistry& metrics)
    : dropped(metrics.counter("vela_audio_bridge_dropped_frames_total",
                              "Source audio frames not transcoded because the audio bridge was behind")),
      failures(metrics.counter("vela_audio_bridge_failures_total",
                               "Source audio frames that failed to decode or encode in the audio bridge")),
      restarts(metrics.counter("vela_audio_bridge_restarts_total",
                               "Audio bridge timelines restarted after a hole or a jump in the source audio")),
      frames(metrics.counter("vela_audio_bridge_frames_total", "Audio frames the audio bridge encoded (AAC or Opus)")),
      work_us(metrics.counter("vela_audio_bridge_work_microseconds_total",
                              "Worker time spent in the audio bridge (decode, resample, encode)")) {}

AudioBridgeJob::AudioBridgeJob(std::string stream, AudioBridgeTranscoder transcoder, size_t capacity,
                               runtime::WorkerPool& workers, AudioBridgeMetrics& metrics, Deliver deliver)
    : stream_(std::move(stream)),
      capacity_(std::max<size_t>(1, capacity)),
      workers_(workers),
      metrics_(metrics),
      deliver_(std::move(deliver)),
      transcoder_(std::move(transcoder)) {}

void AudioBridgeJob::push(const media::FramePtr& frame) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  if (queue_.size() >= capacity_) {
    // Behind: the oldest audio is the least useful (viewers are ahead of it already).
    queue_.pop_front();
    metrics_.dropped.add();
    if (!queue_.empty()) queue_.front().after_gap = true;
    else gap_ = true;
  }
  queue_.push_back({frame, gap_});
  gap_ = false;
  schedule_locked();
}

void AudioBridgeJob::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  queue_.clear();
}

void AudioBridgeJob::schedule_locked() {
  if (scheduled_ || stopped_ || queue_.empty()) return;
  // The job keeps this object alive while it is queued or running.
  scheduled_ = workers_.submit([self = shared_from_this()] { self->run(); });
  // Refused (pool full): the next push() tries again; the bounded queue meanwhile absorbs.
}

void AudioBridgeJob::run() {
  FfmpegLogScope scope(ffmpeg_log_);
  for (int i = 0; i < kFramesPerRun; ++i) {
    Queued queued;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || queue_.empty()) {
        scheduled_ = false;
        return;
      }
      queued = std::move(queue_.front());
      queue_.pop_front();
    }
    process(queued);
  }
  std::lock_guard lock(mutex_);
  scheduled_ = false;
  schedule_locked();
}

void AudioBridgeJob::process(const Queued& queued) {
  auto started = clock::steady_clock::now();
  uint64_t restarts = transcoder_.restarts();
  auto produced = transcoder_.push(*queued.frame, queued.after_gap);
  metrics_.work_us.add(static_cast<uint64_t>(
      clock::duration_cast<clock::microseconds>(clock::steady_clock::now() - started).count()));
  metrics_.restarts.add(transcoder_.restarts() - restarts);
  if (!produced) {
    metrics_.failures.add();
    int64_t now_us = clock::duration_cast<clock::microseconds>(started.time_since_epoch()).count();
    if (error_log_.allow(now_us)) {
      spdlog::warn("audio bridge stream={} frame dts={}: {} ({} similar suppressed)", stream_, queued.frame->dts,
                   produced.error().message, error_log_.take_suppressed());
    }
    return;
  }
  AudioBridgeOutput out;
  const auto& track = transcoder_.track();
  if (track && (!delivered_track_ || !same_track(*track, *delivered_track_))) {
    delivered_track_ = track;
    out.track = track;
  }
  metrics_.frames.add(produced->size());
  out.frames = std::move(*produced);
  if (out.track || !out.frames.empty()) deliver_(std::move(out));
}

}  // namespace vela::transcode
