#pragma once
// Starts a LivePackager when a stream starts publishing and stops it when the publisher
// leaves. Called on the stream's home shard; each shard's packagers are kept apart, so no
// lock is needed.
#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"
#include "packager/live_packager.hpp"

namespace vela::server {

class PackagingObserver : public router::PublishObserver {
 public:
  PackagingObserver(runtime::ShardSet& shards, std::vector<packager::HlsShardDirectory*> directories,
                    packager::LivePackagerOptions options)
      : shards_(shards), directories_(std::move(directories)), options_(std::move(options)),
        packagers_(shards.size()) {}

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override {
    auto packager = std::make_shared<packager::LivePackager>(stream, shards_, directories_, options_,
                                                             next_generation_.fetch_add(1) + 1);
    packager->start();
    packagers_[stream->home_shard()][stream.get()] = std::move(packager);
  }

  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override {
    auto& home = packagers_[stream->home_shard()];
    auto it = home.find(stream.get());
    if (it == home.end()) return;
    it->second->stop();
    home.erase(it);
  }

 private:
  runtime::ShardSet& shards_;
  std::vector<packager::HlsShardDirectory*> directories_;
  packager::LivePackagerOptions options_;
  std::atomic<uint64_t> next_generation_{0};  // publish sessions, across all shards
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<packager::LivePackager>>> packagers_;
};

}  // namespace vela::server
