#pragma once
// Keeps one live stream playable over WebRTC when its H.264 has B-frames (x264's default;
// browsers' WebRTC decoders stall on reordered frames). Subscribes on the home shard (source
// tracks only) and looks at each source video frame's cts. While every cts is 0 that is all
// it does (besides holding references to the current GOP's frames, so that a re-encode can
// start at its keyframe). At the first frame with cts != 0 it logs, starts a BframeFreeJob
// and from then on hands it every source video frame, starting with the held GOP. The
// encoded frames come back to the home shard and are published on the same Stream as one
// derived track (id media::kFirstWebRtcVideoTrackId, rendition "webrtc", dts == pts),
// announced with set_derived_tracks(kBframeFreeProducer, ...) when the encoder opens.
//
// Threading: home shard only, from construction to stop(); the work runs on workers.
#include <cstdint>
#include <memory>
#include <vector>

#include "router/stream.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/bframe_free_job.hpp"

namespace vela::transcode {

struct BframeFreeStreamOptions {
  double queue_s = 2;  // source video queued for the worker at most
  size_t subscription_frames = 512;
  size_t max_held_frames = 600;  // of the current GOP, waiting for a possible re-encode
  BframeFreeOptions encoder = {};
};

// The producer name of the derived track (router::Stream::set_derived_tracks).
inline constexpr char kBframeFreeProducer[] = "webrtc_video";

class StreamBframeFree : public std::enable_shared_from_this<StreamBframeFree> {
 public:
  // Everything passed by reference outlives this object and the worker pool's jobs.
  StreamBframeFree(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards, runtime::WorkerPool& workers,
                   BframeFreeMetrics& metrics, BframeFreeStreamOptions options);

  void start();
  // The publisher is gone: unsubscribes, stops the job (its last results are discarded).
  void stop();

 private:
  void drain();
  void on_source_video(const media::TrackInfo& track, const media::FramePtr& frame);
  void start_job(const media::TrackInfo& track);
  void deliver(BframeFreeOutput output);

  std::shared_ptr<router::Stream> stream_;
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  BframeFreeMetrics& metrics_;
  BframeFreeStreamOptions options_;
  std::shared_ptr<router::Subscription> subscription_;
  std::vector<media::FramePtr> held_;  // the current GOP, from its keyframe, before a job
  std::shared_ptr<BframeFreeJob> job_;
  bool stopped_ = false;
};

}  // namespace vela::transcode
