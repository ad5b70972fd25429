#pragma once
// Runs one Worker per publishing stream: made and start()ed when the stream starts
// publishing, stop()ped and dropped when the publisher leaves. Both calls come on the
// stream's home shard and each shard's workers are kept apart, so no lock is needed.
//
// Worker: constructible as Worker(stream, shards, workers, metrics, options), with start()
// and stop(). Metrics is built once from the registry and shared by every Worker.
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/metrics.hpp"
#include "router/publish_observer.hpp"
#include "runtime/shard.hpp"
#include "runtime/worker_pool.hpp"

namespace vela::transcode {

template <typename Worker, typename Options, typename Metrics>
class PerStreamObserver : public router::PublishObserver {
 public:
  // Everything passed by reference outlives this object and the worker pool's jobs.
  PerStreamObserver(runtime::ShardSet& shards, runtime::WorkerPool& workers, Options options,
                    base::MetricsRegistry& metrics)
      : shards_(shards), workers_(workers), options_(std::move(options)), metrics_(metrics), by_shard_(shards.size()) {}

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override {
    auto worker = std::make_shared<Worker>(stream, shards_, workers_, metrics_, options_);
    worker->start();
    by_shard_[stream->home_shard()][stream.get()] = std::move(worker);
  }

  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override {
    auto& home = by_shard_[stream->home_shard()];
    auto it = home.find(stream.get());
    if (it == home.end()) return;
    it->second->stop();
    home.erase(it);
  }

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  Options options_;
  Metrics metrics_;
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<Worker>>> by_shard_;
};

}  // namespace vela::transcode
