#pragma once
// Serves /live/{name}/...: the multivariant and every rendition's media playlists, init
// segments, segments and parts ({rendition}.m3u8, {rendition}/...), from the request's own shard's HlsShardDirectory. Blocking playlist
// reloads and preload-hint requests park on the stream's ChangeSignal until the object
// exists, the stream ends, or the wait limit passes. Media bodies are the stored Buffers.
#include <boost/asio/awaitable.hpp>
#include <vector>

#include "base/metrics.hpp"
#include "http/message.hpp"
#include "packager/hls_shard_directory.hpp"

namespace vela::http {

struct HlsOriginOptions {
  double max_block_s = 6.0;             // cap on any parked request
  uint32_t max_parked_per_shard = 20000;
};

class HlsOrigin {
 public:
  // directories[i] belongs to shard i; a request only touches its own shard's.
  HlsOrigin(std::vector<packager::HlsShardDirectory*> directories, HlsOriginOptions options,
            base::MetricsRegistry& metrics);

  // Handler for GET /live/ (on the request's shard).
  boost::asio::awaitable<Response> handle(const Request& request, RequestContext& context);

 private:
  boost::asio::awaitable<Response> serve(const std::string& name, const packager::ObjectRef& ref,
                                         RequestContext& context);
  std::vector<packager::HlsShardDirectory*> directories_;
  HlsOriginOptions options_;
  std::vector<uint32_t> parked_;  // per shard; touched only on that shard
  base::Counter& timeouts_;
  base::Counter& overflows_;
};

}  // namespace vela::http
