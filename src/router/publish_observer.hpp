#pragma once
// Publish events: told when a stream starts and stops being published, on the stream's home
// shard. Ingest sessions raise them; packaging, restreaming and thumbnails listen. Here in
// the router (not in ingest) so that modules beside ingest can listen without depending on it.
#include <memory>
#include <vector>

#include "router/stream.hpp"

namespace vela::router {

class PublishObserver {
 public:
  virtual ~PublishObserver() = default;
  virtual void on_publish_start(const std::shared_ptr<Stream>& stream) = 0;
  virtual void on_publish_end(const std::shared_ptr<Stream>& stream) = 0;
};

// Tells several observers (packaging, restreaming, thumbnails, ...), in the order added.
// Filled before the server starts; read-only afterwards.
class PublishObserverList : public PublishObserver {
 public:
  void add(PublishObserver& observer) { observers_.push_back(&observer); }
  void on_publish_start(const std::shared_ptr<Stream>& stream) override {
    for (auto* o : observers_) o->on_publish_start(stream);
  }
  void on_publish_end(const std::shared_ptr<Stream>& stream) override {
    for (auto* o : observers_) o->on_publish_end(stream);
  }

 private:
  std::vector<PublishObserver*> observers_;
};

}  // namespace vela::router
