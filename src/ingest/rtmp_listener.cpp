#include "ingest/rtmp_listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "base/on_exit.hpp"
#include "ingest/rtmp_session.hpp"
#include "runtime/listener.hpp"

namespace vela::ingest {

namespace asio = boost::asio;
using asio::ip::tcp;

RtmpListener::RtmpListener(runtime::Shard& shard, RtmpListenerOptions options, PublishContext context)
    : shard_(shard),
      options_(options),
      context_(context),
      connections_(context.metrics.gauge("vela_rtmp_connections", "Open RTMP connections",
                                         "shard=\"" + std::to_string(shard.index()) + "\"")),
      refused_(context.metrics.counter("vela_rtmp_refused_total", "RTMP connections and publishes refused, by reason",
                                       "reason=\"limit\"")) {}

base::Status RtmpListener::start() {
  auto acceptor = runtime::open_reuseport_acceptor(shard_.io(), options_.endpoint);
  if (!acceptor) return acceptor.error();
  acceptor_.emplace(std::move(*acceptor));
  asio::co_spawn(shard_.io(), accept_loop(), asio::detached);
  return {};
}

void RtmpListener::stop() {
  stopping_ = true;
  if (acceptor_) acceptor_->close();
  boost::system::error_code ignored;
  for (auto* socket : sockets_) socket->shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> RtmpListener::accept_loop() {
  while (!stopping_) {
    auto [error, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) {
      if (stopping_ || error == asio::error::operation_aborted) break;
      spdlog::warn("rtmp accept failed: {}", error.message());
      continue;
    }
    if (sockets_.size() >= options_.max_connections) {
      refused_.add();
      spdlog::warn("rtmp connection from {} refused: connection limit ({}) reached", runtime::peer_address(socket),
                   options_.max_connections);
      socket.close();
      continue;
    }
    uint64_t id = (static_cast<uint64_t>(shard_.index()) << 48) | next_session_++;
    asio::co_spawn(shard_.io(), serve(std::move(socket), id), [id](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("rtmp session={:x} ended by exception: {}", id, ex.what());
      }
    });
  }
}

asio::awaitable<void> RtmpListener::serve(tcp::socket socket, uint64_t session_id) {
  if (stopping_) co_return;  // accepted just before stop(): closes with its socket
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto registered = sockets_.insert(sockets_.end(), &socket);
  open_.fetch_add(1);
  connections_.add(1);
  base::OnExit unregister([&] {
    sockets_.erase(registered);
    open_.fetch_sub(1);
    connections_.add(-1);
  });
  RtmpSession session(shard_, context_, session_id,
                      RtmpSessionLimits{options_.max_message_bytes, options_.idle_timeout});
  co_await session.run(socket);
}

}  // namespace vela::ingest
