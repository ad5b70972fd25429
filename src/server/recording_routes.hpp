#pragma once
// The recordings API (docs/api.md), over the recorder's catalog:
//   GET    /api/v1/recordings        -> 200 {"recordings": [entry...]} newest first
//   GET    /api/v1/recordings/{id}   -> 200 entry | 404
//   DELETE /api/v1/recordings/{id}   -> 204 | 404 | 409 (still being recorded)
// An entry: id, stream, state ("recording" or "finished"), started_at (RFC 3339), duration_s,
// size_bytes, renditions [{name, codecs, bandwidth, width, height}]. No credentials yet, like
// the rest of the API (see docs/api.md). Handlers run on any shard; the catalog is
// thread-safe and deleting files happens on the recorder's thread.
#include "http/router.hpp"
#include "record/recorder.hpp"

namespace vela::server {

// recorder: null when recording is off (an empty list, and 404 for any id). Outlives the router.
void add_recording_routes(http::Router& router, record::Recorder* recorder);

}  // namespace vela::server
