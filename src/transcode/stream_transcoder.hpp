#pragma once
// Transcodes one live stream into its ladder. Subscribes on the home shard (source tracks
// only); once the source video track is known, plans the renditions (plan_ladder) and, if
// any is transcoded, hands every source video frame to a TranscodeJob (bounded queue, one
// ordered job chain on the worker pool). Encoded frames come back to the home shard and are
// published on the same Stream as derived tracks (ids from media::kFirstDerivedTrackId, one
// per transcoded rendition, named by TrackInfo::rendition), set with set_derived_tracks()
// once the encoders' headers are known. Audio is not transcoded: every rendition shares the
// source's audio track. A passthrough-only plan unsubscribes at once and decodes nothing.
//
// A rendition shed by the overload policy stops getting frames (its playlist stalls); when
// restored it restarts at a GOP start, on a keyframe aligned with the other renditions.
//
// Threading: home shard only, from construction to stop(); the work runs on workers.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "router/stream.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/ladder.hpp"
#include "transcode/transcode_job.hpp"
#include "transcode/transcode_status.hpp"

namespace vela::transcode {

struct StreamTranscoderOptions {
  Ladder ladder = default_ladder();
  double keyframe_interval_s = 0;   // 0: follow the source's keyframes
  std::string preset = "veryfast";  // x264
  int encoder_threads = 1;
  double queue_s = 2;               // source video queued for the worker at most
  size_t subscription_frames = 512;
  OverloadOptions overload;
};

class StreamTranscoder : public std::enable_shared_from_this<StreamTranscoder> {
 public:
  // Everything passed by reference outlives the transcoder and the worker pool's jobs.
  StreamTranscoder(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards, runtime::WorkerPool& workers,
                   TranscodeMetrics& metrics, TranscodeStatus& status, StreamTranscoderOptions options);

  void start();
  // The publisher is gone: unsubscribes, stops the job (its last results are discarded).
  void stop();

 private:
  void drain();
  void on_source_video(const media::TrackInfo& track, const media::FramePtr& frame);
  void plan(const media::TrackInfo& track);
  void deliver(PipelineOutput output);
  void unsubscribe();

  std::shared_ptr<router::Stream> stream_;
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  TranscodeMetrics& metrics_;
  TranscodeStatus& status_;
  StreamTranscoderOptions options_;
  std::shared_ptr<router::Subscription> subscription_;
  std::vector<PlannedRendition> renditions_;  // transcoded only, most expensive first
  bool planned_ = false;
  std::shared_ptr<TranscodeJob> job_;
  std::vector<base::Counter*> encoded_;  // per rendition
  std::shared_ptr<base::Gauge> lag_ms_;  // per-stream series: gone from /metrics with the stream
  std::shared_ptr<base::Gauge> shed_;
  bool stopped_ = false;
};

}  // namespace vela::transcode
