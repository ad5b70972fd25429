#include "transcode/bframe_free_job.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
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
      capacity_(std::max<size_t>(2, capacity)),
      workers_(workers),
      metrics_(metrics),
      deliver_(std::move(deliver)),
      encoder_(std::move(options)) {}

void BframeFreeJob::push(BframeFreeInput input) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  const bool keyframe = input.frame->keyframe;
  if (skipping_ && !keyframe) {
    metrics_.dropped.add();
    return;
  }
  skipping_ = false;
  if (queue_.size() >= capacity_) {
    // Behind by a whole queue. Decoding can only resume at a keyframe, so: drop the oldest
    // frames up to a newer queued keyframe; else, for an arriving keyframe, all queued
    // frames; else the arriving frame and the rest of its GOP.
    auto next_key = std::find_if(queue_.begin() + 1, queue_.end(),
                                 [](const BframeFreeInput& q) { return q.frame->keyframe; });
    if (next_key != queue_.end()) {
      metrics_.dropped.add(static_cast<uint64_t>(next_key - queue_.begin()));
      queue_.erase(queue_.begin(), next_key);
      queue_.front().after_gap = true;
    } else if (keyframe) {
      metrics_.dropped.add(queue_.size());
      queue_.clear();
      gap_ = true;
    } else {
      metrics_.dropped.add();
      skipping_ = true;
      gap_ = true;
      return;
    }
  }
  input.after_gap = gap_;
  gap_ = false;
  queue_.push_back(std::move(input));
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
  for (int i = 0; i < kFramesPerRun; ++i) {
    BframeFreeInput input;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || queue_.empty()) {
        scheduled_ = false;
        return;
      }
      input = std::move(queue_.front());
      queue_.pop_front();
    }
    process(input);
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
