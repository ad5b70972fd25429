#pragma once
// A transport address (IPv4 or IPv6 plus port) as STUN carries it and as the session layer
// hands it in. A plain value type: the protocol core never sees a socket, so it does not
// use the networking library's endpoint type; the session adapter converts.
#include <array>
#include <cstdint>
#include <string>

namespace vela::protocol::stun {

struct SocketAddress {
  enum class Family : uint8_t { ipv4, ipv6 };

  Family family = Family::ipv4;
  std::array<uint8_t, 16> ip{};  // network byte order; an IPv4 address uses the first 4
  uint16_t port = 0;

  static SocketAddress ipv4(std::array<uint8_t, 4> octets, uint16_t port);
  static SocketAddress ipv6(std::array<uint8_t, 16> octets, uint16_t port);

  size_t ip_size() const { return family == Family::ipv4 ? 4 : 16; }
  // "192.0.2.1:32853" or "[2001:db8::1]:443" (RFC 5952 shortest form), for logs.
  std::string to_string() const;

  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

}  // namespace vela::protocol::stun
