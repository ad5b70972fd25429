#pragma once
// One stream's audio bridge work as a strictly ordered chain of worker-pool jobs, fed through
// a bounded queue. The home shard push()es source audio frames and never waits; when the
// queue is full the oldest queued frame is dropped (counted), and the transcoder restarts
// its timeline after the hole. At most one job of the chain is queued or running, so the
// transcoder is used by one thread at a time; a job handles a few frames and then requeues
// itself, so streams share the pool's threads fairly.
//
// Threading: push()/stop() from the home shard; run on the worker pool; results are handed
// to `deliver` on the worker (which posts them to the home shard).
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/metrics.hpp"
#include "base/rate_limit.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/audio_bridge_transcoder.hpp"
#include "transcode/ffmpeg_log.hpp"

namespace vela::transcode {

// Shared by every stream's bridge; updated from shards and workers.
struct AudioBridgeMetrics {
  explicit AudioBridgeMetrics(base::MetricsRegistry& metrics);
  base::Counter& dropped;
  base::Counter& failures;
  base::Counter& restarts;
  base::Counter& frames;
  base::Counter& work_us;
};

struct AudioBridgeOutput {
  std::optional<media::TrackInfo> track;  // the derived track, when new or changed
  std::vector<media::FramePtr> frames;
};

class AudioBridgeJob : public std::enable_shared_from_this<AudioBridgeJob> {
 public:
  using Deliver = std::function<void(AudioBridgeOutput&&)>;

  // capacity: most source frames queued.
  AudioBridgeJob(std::string stream, AudioBridgeTranscoder transcoder, size_t capacity, runtime::WorkerPool& workers,
                 AudioBridgeMetrics& metrics, Deliver deliver);

  void push(const media::FramePtr& frame);
  // No more work: queued frames are dropped; a job that is running finishes its frame.
  void stop();

 private:
  struct Queued {
    media::FramePtr frame;
    bool after_gap = false;
  };

  void schedule_locked();
  void run();
  void process(const Queued& queued);

  std::string stream_;
  FfmpegLogSource ffmpeg_log_{stream_};  // FFmpeg's messages while run() works, as this stream's
  size_t capacity_;
  runtime::WorkerPool& workers_;
  AudioBridgeMetrics& metrics_;
  Deliver deliver_;

  std::mutex mutex_;  // guards the fields below
  std::deque<Queued> queue_;
  bool scheduled_ = false;
  bool gap_ = false;  // the next frame pushed follows dropped ones
  bool stopped_ = false;

  // Worker side (one job at a time).
  AudioBridgeTranscoder transcoder_;
  std::optional<media::TrackInfo> delivered_track_;
  base::RateLimit error_log_{10'000'000, 3};
};

}  // namespace vela::transcode
