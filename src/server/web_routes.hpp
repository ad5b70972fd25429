#pragma once
// Routes for the web pages, the streams API and the operations endpoints.
#include "base/metrics.hpp"
#include "http/router.hpp"
#include "router/stream_registry.hpp"

namespace vela::server {

// Registers /, /watch/{name}, /assets/*, /healthz, /metrics and GET /api/v1/streams.
// The registry and metrics must outlive the router.
void add_web_routes(http::Router& router, const router::StreamRegistry& registry,
                    const base::MetricsRegistry& metrics);

}  // namespace vela::server
