#pragma once
// One connection attempt that pushes a live stream to an external destination (an RTMP
// server, an SRT listener). The restream supervisor owns the attempts: it starts one,
// and when it closes, waits (exponential backoff) and starts the next. A session never
// retries by itself.
//
// Threading: created, started, stopped and destroyed on the stream's home shard; its
// callbacks run there too.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

class PushSession {
 public:
  virtual ~PushSession() = default;

  // Begins connecting. on_live: the destination accepted the stream and media flows.
  // on_closed(reason): the attempt is over (connect failed, destination closed, the stream
  // ended); called at most once, and never after stop().
  virtual void start(std::function<void()> on_live, std::function<void(std::string reason)> on_closed) = 0;
  // Closes the connection now; no callback follows. Idempotent.
  virtual void stop() = 0;
  // Bytes written to the destination by this attempt (media and protocol).
  virtual uint64_t bytes_sent() const = 0;
};

// Makes one attempt for `url` (already validated by the supervisor) sending `stream`.
using PushSessionFactory = std::function<std::unique_ptr<PushSession>(
    const std::string& url, std::shared_ptr<router::Stream> stream, runtime::Shard& shard)>;

}  // namespace vela::egress
