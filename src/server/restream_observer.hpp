#pragma once
// Connects RestreamManager (egress) to publish events (ingest): egress does not depend on
// ingest, so the server, which knows both, adapts one to the other. Home shard, like every
// PublishObserver call.
#include "egress/restream_manager.hpp"
#include "router/publish_observer.hpp"

namespace vela::server {

class RestreamObserver : public router::PublishObserver {
 public:
  explicit RestreamObserver(egress::RestreamManager& manager) : manager_(manager) {}
  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override {
    manager_.on_publish_start(stream);
  }
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override {
    manager_.on_publish_end(stream);
  }

 private:
  egress::RestreamManager& manager_;
};

}  // namespace vela::server
