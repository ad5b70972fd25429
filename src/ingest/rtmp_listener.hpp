#pragma once
// RTMP ingest for one shard: an SO_REUSEPORT acceptor and the publishing sessions it
// accepts, all on the shard's thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <list>
#include <optional>

#include "base/result.hpp"
#include "ingest/publish_context.hpp"
#include "runtime/shard.hpp"

namespace vela::ingest {

struct RtmpListenerOptions {
  boost::asio::ip::tcp::endpoint endpoint;
  uint32_t max_connections = 1000;  // for this shard
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};
};

class RtmpListener {
 public:
  RtmpListener(runtime::Shard& shard, RtmpListenerOptions options, PublishContext context);

  // Shard thread.
  base::Status start();
  // Shard thread: stops accepting and closes every session (streams end, playlists get
  // EXT-X-ENDLIST). Each session ends on this shard once it sees its socket shut down.
  void stop();
  size_t open_sessions() const { return open_.load(); }  // any thread

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, uint64_t session_id);

  runtime::Shard& shard_;
  RtmpListenerOptions options_;
  PublishContext context_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  std::list<boost::asio::ip::tcp::socket*> sockets_;  // open sessions, to close on stop
  std::atomic<size_t> open_{0};                        // sockets_.size(), for other threads
  uint64_t next_session_ = 1;
  bool stopping_ = false;
  base::Gauge& connections_;
  base::Counter& refused_;
};

}  // namespace vela::ingest
