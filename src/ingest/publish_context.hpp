#pragma once
// What an ingest session needs from the rest of the server, passed in by the server.
#include <memory>
#include <vector>

#include "auth/publish_auth.hpp"
#include "base/metrics.hpp"
#include "router/stream_registry.hpp"

namespace vela::ingest {

// Told when a stream starts and stops being published; both calls on the stream's home
// shard (the packager hooks in here).
class PublishObserver {
 public:
  virtual ~PublishObserver() = default;
  virtual void on_publish_start(const std::shared_ptr<router::Stream>& stream) = 0;
  virtual void on_publish_end(const std::shared_ptr<router::Stream>& stream) = 0;
};

// Tells several observers (packaging, restreaming, thumbnails, ...), in the order added.
// Filled before the server starts; read-only afterwards.
class PublishObserverList : public PublishObserver {
 public:
  void add(PublishObserver& observer) { observers_.push_back(&observer); }
  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override {
    for (auto* o : observers_) o->on_publish_start(stream);
  }
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override {
    for (auto* o : observers_) o->on_publish_end(stream);
  }

 private:
  std::vector<PublishObserver*> observers_;
};

// Shared services; all thread-safe or immutable, and outliving every session.
struct PublishContext {
  router::StreamRegistry& registry;
  const auth::PublishAuthorizer& authorizer;
  PublishObserver& observer;
  base::MetricsRegistry& metrics;
};

}  // namespace vela::ingest
