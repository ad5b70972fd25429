#pragma once
// A publish observer that runs one Worker per publishing stream: make()s and start()s it when
// the stream starts publishing, stop()s and drops it when the publisher leaves. Both calls
// come on the stream's home shard and each shard's workers are kept apart, so no lock is
// needed. Subclasses say how a Worker is made; Worker has start() and stop().
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"

namespace vela::router {

template <typename Worker>
class StreamWorkerObserver : public PublishObserver {
 public:
  explicit StreamWorkerObserver(size_t shard_count) : by_shard_(shard_count) {}

  void on_publish_start(const std::shared_ptr<Stream>& stream) override {
    auto worker = make(stream);
    worker->start();
    by_shard_[stream->home_shard()][stream.get()] = std::move(worker);
  }

  void on_publish_end(const std::shared_ptr<Stream>& stream) override {
    auto& home = by_shard_[stream->home_shard()];
    auto it = home.find(stream.get());
    if (it == home.end()) return;
    it->second->stop();
    home.erase(it);
  }

 protected:
  virtual std::shared_ptr<Worker> make(const std::shared_ptr<Stream>& stream) = 0;

 private:
  std::vector<std::unordered_map<const Stream*, std::shared_ptr<Worker>>> by_shard_;
};

}  // namespace vela::router
