#pragma once
// Runs one Worker per publishing stream on the worker pool's side of transcode (the audio
// bridge, the B-frame-free copy): a StreamWorkerObserver whose workers are made as
// Worker(stream, shards, workers, metrics, options). Metrics is built once from the registry
// and shared by every Worker.
#include <memory>
#include <utility>

#include "base/metrics.hpp"
#include "router/stream_worker_observer.hpp"
#include "runtime/shard.hpp"
#include "runtime/worker_pool.hpp"

namespace vela::transcode {

template <typename Worker, typename Options, typename Metrics>
class PerStreamObserver : public router::StreamWorkerObserver<Worker> {
 public:
  // Everything passed by reference outlives this object and the worker pool's jobs.
  PerStreamObserver(runtime::ShardSet& shards, runtime::WorkerPool& workers, Options options,
                    base::MetricsRegistry& metrics)
      : router::StreamWorkerObserver<Worker>(shards.size()),
        shards_(shards),
        workers_(workers),
        options_(std::move(options)),
        metrics_(metrics) {}

 protected:
  std::shared_ptr<Worker> make(const std::shared_ptr<router::Stream>& stream) override {
    return std::make_shared<Worker>(stream, shards_, workers_, metrics_, options_);
  }

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  Options options_;
  Metrics metrics_;
};

}  // namespace vela::transcode
