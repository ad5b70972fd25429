#include "transcode/transcode_job.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace vela::transcode {

namespace {

namespace clock = std::chrono;

constexpr int kFramesPerRun = 4;  // then requeue, so other streams' jobs get their turn

double seconds_since_epoch(clock::steady_clock::time_point t) {
  return clock::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

TranscodeMetrics::TranscodeMetrics(base::MetricsRegistry& metrics)
    : registry(metrics),
      dropped(metrics.counter("vela_transcode_dropped_frames_total",
                              "Source video frames not transcoded because the transcoder was behind "
                              "(queue full, or dropped by the overload policy)")),
      failures(metrics.counter("vela_transcode_failures_total",
                               "Source frames that failed to decode, scale or encode")),
      work_us(metrics.counter("vela_transcode_work_microseconds_total",
                              "Worker time spent transcoding (decode, scale, encode)")) {}

TranscodeJob::TranscodeJob(std::string stream, PipelineOptions options, size_t capacity,
                           runtime::WorkerPool& workers, TranscodeMetrics& metrics, std::shared_ptr<base::Gauge> lag_ms,
                           Deliver deliver)
    : stream_(std::move(stream)),
      workers_(workers),
      metrics_(metrics),
      lag_ms_(std::move(lag_ms)),
      deliver_(std::move(deliver)),
      queue_(capacity),
      pipeline_(std::move(options)) {}

void TranscodeJob::push(const media::FramePtr& frame, const base::Buffer& avcc) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  newest_dts_.store(frame->dts, std::memory_order_relaxed);
  metrics_.dropped.add(queue_.push({frame, avcc, false}));
  schedule_locked();
}

void TranscodeJob::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  queue_.clear();
}

void TranscodeJob::schedule_locked() {
  if (scheduled_ || stopped_ || queue_.empty()) return;
  // The job keeps this object alive while it is queued or running.
  scheduled_ = workers_.submit([self = shared_from_this()] { self->run(); });
  // Refused (pool full): the next push() tries again; the bounded queue meanwhile absorbs.
}

void TranscodeJob::run() {
  FfmpegLogScope scope(ffmpeg_log_);
  for (int i = 0; i < kFramesPerRun; ++i) {
    std::optional<SourceFrame> source;
    {
      std::lock_guard lock(mutex_);
      if (!stopped_) source = queue_.pop();
      if (!source) {
        if (stopped_) lag_ms_->set(0);  // after this job's last update of it
        scheduled_ = false;
        return;
      }
    }
    process(*source);
  }
  std::lock_guard lock(mutex_);
  scheduled_ = false;
  schedule_locked();
}

void TranscodeJob::process(const SourceFrame& source) {
  auto started = clock::steady_clock::now();
  int64_t behind = newest_dts_.load(std::memory_order_relaxed) - source.frame->dts;
  double lag_s = static_cast<double>(std::max<int64_t>(0, behind)) / media::kVideoTimescale;
  lag_ms_->set(static_cast<int64_t>(lag_s * 1000));
  PipelineOutput out;
  base::Status status = pipeline_.process(source, lag_s, seconds_since_epoch(started), out);
  metrics_.work_us.add(static_cast<uint64_t>(
      clock::duration_cast<clock::microseconds>(clock::steady_clock::now() - started).count()));
  metrics_.dropped.add(out.dropped_pictures);
  if (!status) {
    metrics_.failures.add();
    int64_t now_us = clock::duration_cast<clock::microseconds>(started.time_since_epoch()).count();
    if (error_log_.allow(now_us)) {
      spdlog::warn("transcode stream={} frame dts={}: {} ({} similar suppressed)", stream_,
                   source.frame->dts, status.error().message, error_log_.take_suppressed());
    }
  }
  if (out.tracks || !out.frames.empty() || !out.shed.empty() || !out.restored.empty()) {
    deliver_(std::move(out));
  }
}

}  // namespace vela::transcode
