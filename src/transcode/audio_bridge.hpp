#pragma once
// Starts a StreamAudioBridge for every stream that starts publishing (its audio, AAC or
// Opus, is bridged to the other codec once per stream, never per viewer) and stops it when
// the publisher leaves. Both calls come on the stream's home shard; each shard's bridges are
// kept apart, so no lock is needed. The server adds it only when `transcode.audio_bridge`
// is on.
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"
#include "transcode/audio_bridge_stream.hpp"

namespace vela::transcode {

class AudioBridge : public router::PublishObserver {
 public:
  // Everything passed by reference outlives the bridge and the worker pool's jobs.
  AudioBridge(runtime::ShardSet& shards, runtime::WorkerPool& workers, AudioBridgeOptions options,
              base::MetricsRegistry& metrics);

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override;
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override;

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  AudioBridgeOptions options_;
  AudioBridgeMetrics metrics_;
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<StreamAudioBridge>>> bridges_;
};

}  // namespace vela::transcode
