#include "transcode/thumbnail_maker.hpp"

namespace vela::transcode {

ThumbnailMaker::ThumbnailMaker(runtime::ShardSet& shards, runtime::WorkerPool& workers,
                               ThumbnailStore& store, ThumbnailOptions options,
                               base::MetricsRegistry& metrics)
    : shards_(shards),
      workers_(workers),
      store_(store),
      options_(options),
      metrics_(metrics),
      thumbnailers_(shards.size()) {}

void ThumbnailMaker::on_publish_start(const std::shared_ptr<router::Stream>& stream) {
  if (options_.interval_s <= 0) return;
  auto thumbnailer = std::make_shared<StreamThumbnailer>(
      stream, shards_, workers_, store_, metrics_, options_, next_session_.fetch_add(1) + 1);
  thumbnailer->start();
  thumbnailers_[stream->home_shard()][stream.get()] = std::move(thumbnailer);
}

void ThumbnailMaker::on_publish_end(const std::shared_ptr<router::Stream>& stream) {
  auto& home = thumbnailers_[stream->home_shard()];
  auto it = home.find(stream.get());
  if (it == home.end()) return;
  it->second->stop();
  home.erase(it);
}

}  // namespace vela::transcode
