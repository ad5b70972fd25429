#pragma once
// Between the protocol core's plain SocketAddress and Asio's endpoints.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "protocol/stun/socket_address.hpp"

namespace vela::rtc {

protocol::stun::SocketAddress to_socket_address(const boost::asio::ip::address& address, uint16_t port);
boost::asio::ip::udp::endpoint to_udp_endpoint(const protocol::stun::SocketAddress& address);

}  // namespace vela::rtc
