#include "transcode/bframe_free_video.hpp"

namespace vela::transcode {

BframeFreeVideo::BframeFreeVideo(runtime::ShardSet& shards, runtime::WorkerPool& workers,
                                 BframeFreeStreamOptions options, base::MetricsRegistry& metrics)
    : shards_(shards), workers_(workers), options_(std::move(options)), metrics_(metrics), streams_(shards.size()) {}

void BframeFreeVideo::on_publish_start(const std::shared_ptr<router::Stream>& stream) {
  auto video = std::make_shared<StreamBframeFree>(stream, shards_, workers_, metrics_, options_);
  video->start();
  streams_[stream->home_shard()][stream.get()] = std::move(video);
}

void BframeFreeVideo::on_publish_end(const std::shared_ptr<router::Stream>& stream) {
  auto& home = streams_[stream->home_shard()];
  auto it = home.find(stream.get());
  if (it == home.end()) return;
  it->second->stop();
  home.erase(it);
}

}  // namespace vela::transcode
