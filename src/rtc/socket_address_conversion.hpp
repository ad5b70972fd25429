#pragma once
// Between the protocol core's plain SocketAddress and the socket layer's addresses (Asio
// endpoints, sockaddr from recvmmsg).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <optional>

#include "protocol/stun/socket_address.hpp"

namespace vela::rtc {

protocol::stun::SocketAddress to_socket_address(const boost::asio::ip::address& address, uint16_t port);
// From a recvmmsg source address; nullopt for a family other than IPv4/IPv6.
std::optional<protocol::stun::SocketAddress> to_socket_address(const sockaddr_storage& address);

}  // namespace vela::rtc
