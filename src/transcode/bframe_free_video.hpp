#pragma once
// Starts a StreamBframeFree for every stream that starts publishing (its H.264 is re-encoded
// without B-frames for WebRTC, once per stream and only if the source has B-frames) and
// stops it when the publisher leaves. Both calls come on the stream's home shard; each
// shard's streams are kept apart, so no lock is needed. The server adds it only when
// `webrtc.reencode_bframes` is on.
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"
#include "transcode/bframe_free_stream.hpp"

namespace vela::transcode {

class BframeFreeVideo : public router::PublishObserver {
 public:
  // Everything passed by reference outlives this object and the worker pool's jobs.
  BframeFreeVideo(runtime::ShardSet& shards, runtime::WorkerPool& workers, BframeFreeStreamOptions options,
                  base::MetricsRegistry& metrics);

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override;
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override;

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  BframeFreeStreamOptions options_;
  BframeFreeMetrics metrics_;
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<StreamBframeFree>>> streams_;
};

}  // namespace vela::transcode
