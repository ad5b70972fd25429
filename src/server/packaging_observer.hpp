#pragma once
// Starts a LivePackager when a stream starts publishing and stops it when the publisher
// leaves (one per stream, on its home shard: see router::StreamWorkerObserver).
#include <atomic>
#include <memory>
#include <vector>

#include "packager/live_packager.hpp"
#include "router/stream_worker_observer.hpp"

namespace vela::server {

class PackagingObserver : public router::StreamWorkerObserver<packager::LivePackager> {
 public:
  PackagingObserver(runtime::ShardSet& shards, std::vector<packager::HlsShardDirectory*> directories,
                    packager::LivePackagerOptions options)
      : StreamWorkerObserver(shards.size()), shards_(shards), directories_(std::move(directories)),
        options_(std::move(options)) {}

 protected:
  std::shared_ptr<packager::LivePackager> make(const std::shared_ptr<router::Stream>& stream) override {
    return std::make_shared<packager::LivePackager>(stream, shards_, directories_, options_,
                                                    next_generation_.fetch_add(1) + 1);
  }

 private:
  runtime::ShardSet& shards_;
  std::vector<packager::HlsShardDirectory*> directories_;
  packager::LivePackagerOptions options_;
  std::atomic<uint64_t> next_generation_{0};  // publish sessions, across all shards
};

}  // namespace vela::server
