#include "protocol/stun/socket_address.hpp"

#include <cstdio>

namespace vela::protocol::stun {

SocketAddress SocketAddress::ipv4(std::array<uint8_t, 4> octets, uint16_t port) {
  SocketAddress address;
  address.family = Family::ipv4;
  for (size_t i = 0; i < octets.size(); ++i) address.ip[i] = octets[i];
  address.port = port;
  return address;
}

SocketAddress SocketAddress::ipv6(std::array<uint8_t, 16> octets, uint16_t port) {
  SocketAddress address;
  address.family = Family::ipv6;
  address.ip = octets;
  address.port = port;
  return address;
}

namespace {

std::string ipv6_text(const std::array<uint8_t, 16>& ip) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(ip[2 * i] << 8 | ip[2 * i + 1]);
  // The longest run of at least two zero groups becomes "::" (the first one on a tie).
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length && j - i >= 2) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  char hex[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(hex, sizeof hex, "%x", groups[i]);
    out += hex;
  }
  return out;
}

}  // namespace

std::string SocketAddress::to_string() const {
  if (family == Family::ipv6) return "[" + ipv6_text(ip) + "]:" + std::to_string(port);
  return std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." +
         std::to_string(ip[3]) + ":" + std::to_string(port);
}

}  // namespace vela::protocol::stun
