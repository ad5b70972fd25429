#pragma once
// One stream's transcode work as a strictly ordered chain of worker-pool jobs, fed through a
// bounded queue. The home shard push()es source video frames and never waits. When the
// queue is full, frames are dropped so that decoding resumes at a keyframe (GopDropQueue).
// At most one job of the chain is queued or running, so the pipeline is
// used by one thread at a time; a job handles a few frames and then requeues itself, so
// streams share the pool's threads fairly.
//
// Threading: push()/stop() from the home shard; run on the worker pool; results are handed
// to `deliver` on the worker (which posts them to the home shard).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "base/metrics.hpp"
#include "base/rate_limit.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/gop_drop_queue.hpp"
#include "transcode/transcode_pipeline.hpp"
#include "transcode/ffmpeg_log.hpp"

namespace vela::transcode {

// Shared by every stream's job; updated from shards and workers.
struct TranscodeMetrics {
  explicit TranscodeMetrics(base::MetricsRegistry& metrics);
  base::MetricsRegistry& registry;  // per-stream and per-rendition metrics are added at start
  base::Counter& dropped;
  base::Counter& failures;
  base::Counter& work_us;
};

class TranscodeJob : public std::enable_shared_from_this<TranscodeJob> {
 public:
  using Deliver = std::function<void(PipelineOutput&&)>;

  // capacity: most source frames queued (e.g. 2 s of video). lag_ms: this stream's gauge.
  TranscodeJob(std::string stream, PipelineOptions options, size_t capacity, runtime::WorkerPool& workers,
               TranscodeMetrics& metrics, std::shared_ptr<base::Gauge> lag_ms, Deliver deliver);

  void push(const media::FramePtr& frame, const base::Buffer& avcc);
  // No more work: queued frames are dropped; a job that is running finishes its frame.
  void stop();

 private:
  void schedule_locked();
  void run();
  void process(const SourceFrame& source);

  std::string stream_;
  FfmpegLogSource ffmpeg_log_{stream_};  // FFmpeg's messages while run() works, as this stream's
  runtime::WorkerPool& workers_;
  TranscodeMetrics& metrics_;
  std::shared_ptr<base::Gauge> lag_ms_;
  Deliver deliver_;

  std::mutex mutex_;  // guards the fields below
  GopDropQueue<SourceFrame> queue_;
  bool scheduled_ = false;
  bool stopped_ = false;
  std::atomic<int64_t> newest_dts_{0};

  // Worker side (one job at a time).
  TranscodePipeline pipeline_;
  base::RateLimit error_log_{10'000'000, 3};
};

}  // namespace vela::transcode
