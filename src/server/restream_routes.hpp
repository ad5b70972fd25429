#pragma once
// The restream API (docs/api.md):
//   GET    /api/v1/streams/{name}/restreams       -> 200 {"restreams": [entry...]}
//   POST   /api/v1/streams/{name}/restreams       {"url": "..."} -> 201 entry | 400 {"error"}
//   DELETE /api/v1/streams/{name}/restreams/{id}  -> 204 | 404
// An entry: id, url (stream key masked), configured, state (connecting/live/failed/
// stopped), bytes_sent, attempts, last_error, retry_in_ms. Handlers run on any shard and
// use RestreamManager's thread-safe calls.
#include "egress/restream_manager.hpp"
#include "http/router.hpp"

namespace vela::server {

// The manager must outlive the router.
void add_restream_routes(http::Router& router, egress::RestreamManager& manager);

}  // namespace vela::server
