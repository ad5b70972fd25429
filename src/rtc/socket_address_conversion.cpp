#include "rtc/socket_address_conversion.hpp"

#include <netinet/in.h>

#include <cstring>

namespace vela::rtc {

using protocol::stun::SocketAddress;

SocketAddress to_socket_address(const boost::asio::ip::address& address, uint16_t port) {
  // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d; STUN wants it as IPv4.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return SocketAddress::ipv4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).to_bytes(),
                               port);
  }
  if (address.is_v4()) return SocketAddress::ipv4(address.to_v4().to_bytes(), port);
  return SocketAddress::ipv6(address.to_v6().to_bytes(), port);
}

std::optional<SocketAddress> to_socket_address(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    std::array<uint8_t, 4> octets;
    std::memcpy(octets.data(), &v4.sin_addr, 4);
    return SocketAddress::ipv4(octets, ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    boost::asio::ip::address_v6::bytes_type octets;
    std::memcpy(octets.data(), &v6.sin6_addr, 16);
    return to_socket_address(boost::asio::ip::address_v6(octets), ntohs(v6.sin6_port));
  }
  return std::nullopt;
}

}  // namespace vela::rtc
