#pragma once
// What an ingest session needs from the rest of the server, passed in by the server.
#include <memory>

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

// Shared services; all thread-safe or immutable, and outliving every session.
struct PublishContext {
  router::StreamRegistry& registry;
  const auth::PublishAuthorizer& authorizer;
  PublishObserver& observer;
  base::MetricsRegistry& metrics;
};

}  // namespace vela::ingest
