#pragma once
// Makes thumbnails of one live stream: subscribes to it on its home shard, ignores all but
// video keyframes, and at most once per interval hands the newest keyframe to the worker
// pool, with at most one job in flight (a keyframe that comes while one runs, or that the
// pool refuses, is skipped). The result comes back to the home shard and goes into the
// ThumbnailStore while the stream is live.
//
// Threading: home shard only, from construction to stop(); the job runs on a worker.
#include <chrono>
#include <memory>
#include <optional>

#include "base/metrics.hpp"
#include "router/stream.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/thumbnail_store.hpp"
#include "transcode/ffmpeg_log.hpp"

namespace vela::transcode {

struct ThumbnailOptions {
  double interval_s = 5;      // least time between two thumbnails of a stream; 0: none
  uint32_t max_width = 320;   // never upscaled
  size_t queue_frames = 512;  // the subscription's bound
};

// Counters shared by every stream's thumbnailer; updated from worker threads too.
struct ThumbnailMetrics {
  explicit ThumbnailMetrics(base::MetricsRegistry& metrics);
  base::Counter& made;
  base::Counter& failed;
  base::Counter& skipped;
  base::Counter& work_us;
};

class StreamThumbnailer : public std::enable_shared_from_this<StreamThumbnailer> {
 public:
  // session: this publish of the stream (see ThumbnailStore). Everything passed by
  // reference outlives the thumbnailer and the worker pool's jobs.
  StreamThumbnailer(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                    runtime::WorkerPool& workers, ThumbnailStore& store, ThumbnailMetrics& metrics,
                    ThumbnailOptions options, uint64_t session);

  void start();
  // The publisher is gone: unsubscribes and removes the stream's thumbnail; a job still
  // running is discarded when it finishes.
  void stop();

 private:
  void drain();
  void consider(const media::FramePtr& frame);
  // False when the worker pool refused the job (it is full).
  bool submit(const media::TrackInfo& track, const media::FramePtr& keyframe);
  void finish(base::Result<Thumbnail> result);

  std::shared_ptr<router::Stream> stream_;
  // FFmpeg's messages while a thumbnail is made, as this stream's; shared with the job.
  std::shared_ptr<FfmpegLogSource> ffmpeg_log_;
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  ThumbnailStore& store_;
  ThumbnailMetrics& metrics_;
  ThumbnailOptions options_;
  uint64_t session_;
  std::shared_ptr<router::Subscription> subscription_;
  std::optional<std::chrono::steady_clock::time_point> last_submit_;
  bool busy_ = false;
  bool stopped_ = false;
};

}  // namespace vela::transcode
