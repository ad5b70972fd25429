#pragma once
// TCP listeners: each shard opens its own acceptor on the same address with SO_REUSEPORT,
// so the kernel spreads connections across shards and a connection stays on one thread.
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::runtime {

// Parses "host:port", "[v6]:port" or ":port" (all interfaces).
base::Result<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text);

base::Result<boost::asio::ip::tcp::acceptor> open_reuseport_acceptor(
    boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace vela::runtime
