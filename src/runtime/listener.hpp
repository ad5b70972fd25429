#pragma once
// TCP listeners: each shard opens its own acceptor on the same address with SO_REUSEPORT,
// so the kernel spreads connections across shards and a connection stays on one thread.
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::runtime {

// A TCP connection's remote address as logs and the API show it: "ip:port", "[v6]:port",
// or "-" when the socket no longer knows (the peer already reset it).
std::string peer_address(const boost::asio::ip::tcp::socket& socket);

// Parses "host:port", "[v6]:port" or ":port" (all interfaces).
base::Result<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text);

// SO_REUSEPORT would let a second process bind the same port and silently take half the
// connections. A plain bind fails if anyone holds the port, so probing with one first
// refuses to start beside another server. Call once per address, before the acceptors.
base::Status ensure_port_free(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

base::Result<boost::asio::ip::tcp::acceptor> open_reuseport_acceptor(
    boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace vela::runtime
