#pragma once
// The ladder API (docs/api.md):
//   GET /api/v1/streams/{name}/ladder -> 200 {stream, enabled, passthrough, rungs, overridden,
//       renditions}: the effective ladder and, while the stream is live, its planned
//       renditions with their state ("running" or "shed"); renditions is null otherwise.
//   PUT /api/v1/streams/{name}/ladder {enabled?, passthrough?, rungs?} -> 200 (as GET, plus
//       "applies": "next_publish") | 400 {"error"}. Fields left out keep their current value.
//       The new ladder applies from the stream's next publish; a live transcode goes on as
//       planned.
// Handlers run on any shard and use only thread-safe calls (LadderSettings, TranscodeStatus).
#include "http/router.hpp"
#include "transcode/ladder_settings.hpp"
#include "transcode/transcode_status.hpp"

namespace vela::server {

// Both objects must outlive the router.
void add_transcode_routes(http::Router& router, transcode::LadderSettings& settings,
                          const transcode::TranscodeStatus& status);

}  // namespace vela::server
