#pragma once
// One SRT viewer (a caller with m=request on the ingest port) receiving a live stream as
// MPEG-TS.
//
// Threads and sockets: the SRT listener's I/O thread accepted the socket and is the only
// thread that closes it (and sees the peer leave). This session lives on one shard: it
// subscribes there and sends with srt_sendmsg from that shard (libsrt's send is
// thread-safe). When the stream ends, or a send fails, the session asks the I/O thread to
// close the socket (`close_socket`, any thread); the I/O thread then posts
// on_socket_closed() back here, which is the session's single end. A send racing with the
// close fails with an invalid-socket error and is harmless: libsrt does not reuse socket
// ids for a long time. Every method runs on the session's shard.
#include <srt/srt.h>

#include <functional>
#include <memory>
#include <string>

#include "base/metrics.hpp"
#include "egress/srt_ts_sender.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

// Shared by every viewer; registered once by the server.
struct SrtPlayMetrics {
  explicit SrtPlayMetrics(base::MetricsRegistry& metrics);
  SrtSendCounters send;
  base::Gauge& viewers;
  base::Counter& sessions;
};

struct SrtPlayOptions {
  size_t queue_frames = 512;  // the subscription's bound
};

class SrtPlaySession : public std::enable_shared_from_this<SrtPlaySession> {
 public:
  using CloseSocket = std::function<void(std::string reason)>;

  SrtPlaySession(runtime::Shard& shard, SRTSOCKET socket, uint64_t id,
                 std::shared_ptr<router::Stream> stream, SrtPlayOptions options,
                 SrtPlayMetrics& metrics, CloseSocket close_socket);

  void start();
  // The I/O thread closed the socket (peer left, the session asked, or the server stops).
  void on_socket_closed(const std::string& reason);

 private:
  runtime::Shard& shard_;
  uint64_t id_;
  std::shared_ptr<router::Stream> stream_;
  SrtPlayMetrics& metrics_;
  CloseSocket close_socket_;
  std::shared_ptr<SrtTsSender> sender_;
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace vela::egress
