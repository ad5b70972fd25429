#pragma once
// Sends one live stream as MPEG-TS over one connected SRT socket: subscribes to the stream
// on its shard, muxes each frame once (SrtTsFeed) and writes 1316-byte messages with
// srt_sendmsg, never waiting. When libsrt's send buffer is full (SRT_EASYNCSND: the
// receiver or the path is too slow) the queued bytes are dropped and sending resumes at the
// next keyframe, counted and logged; the Subscription itself skips to a keyframe if the
// shard falls behind. A slow or dead receiver therefore never blocks the shard.
//
// Threading: created, started, stopped and destroyed on `shard`; on_end runs there. It
// calls srt_sendmsg (thread-safe in libsrt) from the shard and never closes the socket:
// whoever owns the socket closes it (the SRT listener's I/O thread for viewers, the push
// session for push-out), after stop().
#include <srt/srt.h>

#include <functional>
#include <memory>
#include <string>

#include "base/metrics.hpp"
#include "base/rate_limit.hpp"
#include "egress/srt_ts_feed.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

// Where a sender counts: shared by every sender of one kind ("play"), registered once, or
// a session's own counters (push: its supervisor reports them).
struct SrtSendCounters {
  SrtSendCounters(base::MetricsRegistry& metrics, const std::string& kind);
  SrtSendCounters(base::Counter& bytes, base::Counter& dropped_frames, base::Counter& skips)
      : bytes(bytes), dropped_frames(dropped_frames), skips(skips) {}
  base::Counter& bytes;
  base::Counter& dropped_frames;
  base::Counter& skips;
};

class SrtTsSender : public std::enable_shared_from_this<SrtTsSender> {
 public:
  // on_end(reason): the stream ended (after the last bytes were sent), its tracks cannot be
  // carried, or a send failed for another reason than a full buffer. At most once; never
  // after stop().
  SrtTsSender(runtime::Shard& shard, std::shared_ptr<router::Stream> stream, SRTSOCKET socket,
              size_t queue_frames, SrtSendCounters& counters, std::string log_prefix,
              std::function<void(std::string reason)> on_end);

  void start();
  void stop();  // idempotent; no callback follows
  uint64_t bytes_sent() const { return bytes_sent_; }
  const SrtTsFeed& feed() const { return feed_; }

 private:
  void drain();
  bool send_messages();  // false when the sender ended
  bool send(std::span<const uint8_t> message);
  void end(std::string reason);
  void account_drops();

  runtime::Shard& shard_;
  std::shared_ptr<router::Stream> stream_;
  SRTSOCKET socket_;
  size_t queue_frames_;
  SrtSendCounters& counters_;
  std::string log_prefix_;
  std::function<void(std::string)> on_end_;
  std::shared_ptr<router::Subscription> subscription_;
  SrtTsFeed feed_;
  bool stopped_ = false;
  uint64_t bytes_sent_ = 0;
  uint64_t dropped_reported_ = 0;
  base::RateLimit log_limit_{10'000'000, 3};
};

}  // namespace vela::egress
