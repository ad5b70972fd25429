#pragma once
// What an ingest session needs from the rest of the server, passed in by the server.
#include <memory>

#include "auth/publish_auth.hpp"
#include "base/metrics.hpp"
#include "router/publish_observer.hpp"
#include "router/stream_registry.hpp"

namespace vela::ingest {

// Shared services; all thread-safe or immutable, and outliving every session.
struct PublishContext {
  router::StreamRegistry& registry;
  const auth::PublishAuthorizer& authorizer;
  router::PublishObserver& observer;
  base::MetricsRegistry& metrics;
};

}  // namespace vela::ingest
