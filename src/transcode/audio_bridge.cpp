#include "transcode/audio_bridge.hpp"

namespace vela::transcode {

AudioBridge::AudioBridge(runtime::ShardSet& shards, runtime::WorkerPool& workers, AudioBridgeOptions options,
                         base::MetricsRegistry& metrics)
    : shards_(shards), workers_(workers), options_(options), metrics_(metrics), bridges_(shards.size()) {}

void AudioBridge::on_publish_start(const std::shared_ptr<router::Stream>& stream) {
  auto bridge = std::make_shared<StreamAudioBridge>(stream, shards_, workers_, metrics_, options_);
  bridge->start();
  bridges_[stream->home_shard()][stream.get()] = std::move(bridge);
}

void AudioBridge::on_publish_end(const std::shared_ptr<router::Stream>& stream) {
  auto& home = bridges_[stream->home_shard()];
  auto it = home.find(stream.get());
  if (it == home.end()) return;
  it->second->stop();
  home.erase(it);
}

}  // namespace vela::transcode
