#pragma once
// Where a WebRTC datagram came from or goes to: a UDP address, or one ICE-TCP connection
// (RFC 6544) accepted on the same port number. Sessions never see sockets; the port that
// owns the sockets sends for them.
#include <cstdint>
#include <span>

#include "protocol/stun/socket_address.hpp"

namespace vela::rtc {

struct RtcPath {
  protocol::stun::SocketAddress remote;
  uint64_t tcp_connection = 0;  // 0 for UDP, else the port's id of the TCP connection

  bool is_tcp() const { return tcp_connection != 0; }
  friend bool operator==(const RtcPath&, const RtcPath&) = default;
};

struct RtcPathHash {
  size_t operator()(const RtcPath& path) const;
};

// Implemented by the port: sends one datagram (or one framed ICE-TCP packet). Never blocks;
// a datagram the socket cannot take now is dropped and counted.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  virtual void send_datagram(std::span<const uint8_t> datagram, const RtcPath& path) = 0;
};

}  // namespace vela::rtc
