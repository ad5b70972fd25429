#include "rtc/socket_address_conversion.hpp"

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

boost::asio::ip::udp::endpoint to_udp_endpoint(const SocketAddress& address) {
  if (address.family == SocketAddress::Family::ipv4) {
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy_n(address.ip.begin(), 4, bytes.begin());
    return {boost::asio::ip::address_v4(bytes), address.port};
  }
  boost::asio::ip::address_v6::bytes_type bytes;
  std::copy_n(address.ip.begin(), 16, bytes.begin());
  return {boost::asio::ip::address_v6(bytes), address.port};
}

}  // namespace vela::rtc
