#pragma once
// HTTP/1.1 server for one shard: its own SO_REUSEPORT acceptor and the connections it
// accepts, all on the shard's thread. Keep-alive, CORS, header/body limits, a connection
// limit, idle timeouts, and handlers that may park (long-poll) before replying.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>

#include "base/metrics.hpp"
#include "base/result.hpp"
#include "http/router.hpp"
#include "runtime/shard.hpp"

namespace vela::http {

struct ServerOptions {
  boost::asio::ip::tcp::endpoint endpoint;
  uint32_t max_connections = 10000;  // for this shard
  uint32_t max_header_bytes = 16 * 1024;
  uint32_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
};

class Server {
 public:
  // The router and metrics must outlive the server.
  Server(runtime::Shard& shard, ServerOptions options, const Router& router,
         base::MetricsRegistry& metrics);

  // Shard thread: opens the listener. Fails when the address cannot be bound.
  base::Status start();
  // Shard thread: stops accepting; connections waiting for a request close now, the others
  // finish their current exchange and close.
  void stop();
  size_t open_connections() const { return connections_.load(); }  // any thread

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<Response> dispatch(Request& request, RequestContext& context);
  void count_response(unsigned status);

  runtime::Shard& shard_;
  ServerOptions options_;
  const Router& router_;
  // An open connection, for stop(): `reading` while it waits for the next request.
  struct Connection {
    boost::beast::tcp_stream* stream;
    bool reading = false;
  };

  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  std::list<Connection> open_;      // shard thread
  std::atomic<size_t> connections_{0};
  bool stopping_ = false;
  base::Gauge& open_gauge_;
  base::Counter& requests_;
  base::Counter& refused_;
  std::array<base::Counter*, 5> responses_{};  // by status class: 1xx .. 5xx
};

}  // namespace vela::http
