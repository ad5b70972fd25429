#include "transcode/bframe_free_job.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace vela::transcode {

namespace {

namespace clock = std::chrono;

constexpr int kFramesPerRun = 4;  // then requeue, so other streams' jobs get their turn

}  // namespace

BframeFreeMetrics::BframeFreeMetrics(base::MetricsRegistry& metrics)
    : frames(metrics.counter("vela_webrtc_reencode_frames_total",
                             "Frames encoded without B-frames for WebRTC from sources that have them")),
      dropped(metrics.counter("vela_webrtc_reencode_dropped_frames_total",
                              "Source frames not re-encoded for WebRTC because the re-encoder was behind")),
      failures(metrics.counter("vela_webrtc_reencode_failures_total",
                               "Source frames that failed to decode or encode in the WebRTC re-encoder")),
      work_us(metrics.counter("vela_webrtc_reencode_work_microseconds_total",
                              "Worker time spent re-encoding B-frame sources for WebRTC (decode, encode)")),
      streams(metrics.gauge("vela_webrtc_reencode_streams",
                            "Streams whose video is re-encoded without B-frames for WebRTC")) {}

BframeFreeJob::BframeFreeJob(std::string stream, BframeFreeOptions options, size_t capacity,
                             runtime::WorkerPool& workers, BframeFreeMetrics& metrics, Deliver deliver)
    : stream_(std::move(stream)),
      workers_(workers),
      metrics_(metrics),
      deliver_(std::move(deliver)),
      queue_(capacity),
      encoder_(std::move(options)) {}

void BframeFreeJob::push(BframeFreeInput input) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  metrics_.dropped.add(queue_.push(std::move(input)));
  schedule_locked();
}

void BframeFreeJob::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  queue_.clear();
}

void BframeFreeJob::schedule_locked() {
  if (scheduled_ || stopped_ || queue_.empty()) return;
  // The job keeps this object alive while it is queued or running.
  scheduled_ = workers_.submit([self = shared_from_this()] { self->run(); });
  // Refused (pool full): the next push() tries again; the bounded queue meanwhile absorbs.
}

void BframeFreeJob::run() {
  FfmpegLogScope scope(ffmpeg_log_);
  for (int i = 0; i < kFramesPerRun; ++i) {
    std::optional<BframeFreeInput> input;
    {
      std::lock_guard lock(mutex_);
      if (!stopped_) input = queue_.pop();
      if (!input) {
        scheduled_ = false;
        return;
      }
    }
    process(*input);
  }
  std::lock_guard lock(mutex_);
  scheduled_ = false;
  schedule_locked();
}

void BframeFreeJob::process(const BframeFreeInput& input) {
  auto started = clock::steady_clock::now();
  BframeFreeOutput out;
  base::Status status = encoder_.push(input, out);
  metrics_.work_us.add(static_cast<uint64_t>(
      clock::duration_cast<clock::microseconds>(clock::steady_clock::now() - started).count()));
  metrics_.dropped.add(out.skipped);
  metrics_.frames.add(out.frames.size());
  if (!status) {
    metrics_.failures.add();
    int64_t now_us = clock::duration_cast<clock::microseconds>(started.time_since_epoch()).count();
    if (error_log_.allow(now_us)) {
      spdlog::warn("webrtc video stream={} frame dts={}: {} ({} similar suppressed)", stream_, input.frame->dts,
                   status.error().message, error_log_.take_suppressed());
    }
  }
  if (out.track || !out.frames.empty()) deliver_(std::move(out));
}

}  // namespace vela::transcode
