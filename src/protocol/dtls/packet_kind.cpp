#include "protocol/dtls/packet_kind.hpp"

namespace vela::protocol::dtls {

PacketKind classify_packet(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return PacketKind::unknown;
  const uint8_t first = datagram[0];
  if (first <= 3) {
    return datagram.size() >= kMinStunSize ? PacketKind::stun : PacketKind::unknown;
  }
  if (first >= 20 && first <= 63) {
    return datagram.size() >= kMinDtlsSize ? PacketKind::dtls : PacketKind::unknown;
  }
  if (first >= 128 && first <= 191) {
    if (datagram.size() < 2) return PacketKind::unknown;
    const uint8_t second = datagram[1];
    if (second >= 192 && second <= 223) {
      return datagram.size() >= kMinRtcpSize ? PacketKind::rtcp : PacketKind::unknown;
    }
    return datagram.size() >= kMinRtpSize ? PacketKind::rtp : PacketKind::unknown;
  }
  return PacketKind::unknown;
}

}  // namespace vela::protocol::dtls
