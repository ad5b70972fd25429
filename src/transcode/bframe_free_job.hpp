#pragma once
// One stream's B-frame-free re-encode as a strictly ordered chain of worker-pool jobs, fed
// through a bounded queue. The home shard push()es source video frames and never waits. When
// the queue is full, frames are dropped so that decoding resumes at a keyframe
// (GopDropQueue). At most one job of the chain is
// queued or running, so the encoder is used by one thread at a time; a job handles a few
// frames and then requeues itself, so streams share the pool's threads fairly.
//
// Threading: push()/stop() from the home shard; run on the worker pool; results are handed
// to `deliver` on the worker (which posts them to the home shard).
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/metrics.hpp"
#include "base/rate_limit.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/bframe_free_encoder.hpp"
#include "transcode/gop_drop_queue.hpp"
#include "transcode/ffmpeg_log.hpp"

namespace vela::transcode {

// Shared by every stream's job; updated from shards and workers.
struct BframeFreeMetrics {
  explicit BframeFreeMetrics(base::MetricsRegistry& metrics);
  base::Counter& frames;    // encoded
  base::Counter& dropped;   // source frames not re-encoded (queue full, or undecodable start)
  base::Counter& failures;  // source frames that failed to decode or encode
  base::Counter& work_us;
  base::Gauge& streams;     // streams being re-encoded now
};

class BframeFreeJob : public std::enable_shared_from_this<BframeFreeJob> {
 public:
  using Deliver = std::function<void(BframeFreeOutput&&)>;

  // capacity: most source frames queued (e.g. 2 s of video).
  BframeFreeJob(std::string stream, BframeFreeOptions options, size_t capacity, runtime::WorkerPool& workers,
                BframeFreeMetrics& metrics, Deliver deliver);

  // input.after_gap is set by the job itself.
  void push(BframeFreeInput input);
  // No more work: queued frames are dropped; a job that is running finishes its frame.
  void stop();

 private:
  void schedule_locked();
  void run();
  void process(const BframeFreeInput& input);

  std::string stream_;
  FfmpegLogSource ffmpeg_log_{stream_};  // FFmpeg's messages while run() works, as this stream's
  runtime::WorkerPool& workers_;
  BframeFreeMetrics& metrics_;
  Deliver deliver_;

  std::mutex mutex_;  // guards the fields below
  GopDropQueue<BframeFreeInput> queue_;
  bool scheduled_ = false;
  bool stopped_ = false;

  // Worker side (one job at a time).
  BframeFreeEncoder encoder_;
  base::RateLimit error_log_{10'000'000, 3};
};

}  // namespace vela::transcode
