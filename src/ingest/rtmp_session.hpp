#pragma once
// One RTMP publisher connection: reads the socket into the pure protocol core
// (protocol::rtmp::ServerSession), writes its replies, and turns its events into a
// published stream. A protocol error or an unsupported codec ends this session with a
// logged reason; nothing else is affected. Shard thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "ingest/publish_context.hpp"
#include "ingest/rtmp_media_assembler.hpp"
#include "protocol/rtmp/server_session.hpp"
#include "runtime/shard.hpp"

namespace vela::ingest {

struct RtmpSessionLimits {
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};
};

class RtmpSession {
 public:
  RtmpSession(runtime::Shard& shard, PublishContext& context, uint64_t id, RtmpSessionLimits limits);
  ~RtmpSession();

  // Runs until the peer closes, errs, idles out, or the socket is shut down.
  boost::asio::awaitable<void> run(boost::asio::ip::tcp::socket& socket);

 private:
  base::Status handle(protocol::rtmp::SessionEvent& event);
  void on_publish_requested(const protocol::rtmp::PublishRequested& request);
  base::Status publish(base::Result<std::vector<AssembledOutput>> outputs);
  void end_publish();

  runtime::Shard& shard_;
  PublishContext& context_;
  uint64_t id_;
  std::string remote_;  // the publisher's "host:port"
  RtmpSessionLimits limits_;
  protocol::rtmp::ServerSession protocol_;
  RtmpMediaAssembler assembler_;
  std::shared_ptr<router::Stream> stream_;
  base::Counter& bytes_in_;
  base::Counter& frames_in_;
};

}  // namespace vela::ingest
