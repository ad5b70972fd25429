#include "protocol/dtls/packet_kind.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vela::protocol::dtls {
namespace {

std::vector<uint8_t> datagram(uint8_t first, uint8_t second, size_t size) {
  std::vector<uint8_t> bytes(size, 0);
  if (size > 0) bytes[0] = first;
  if (size > 1) bytes[1] = second;
  return bytes;
}

struct Case {
  uint8_t first;
  uint8_t second;
  size_t size;
  PacketKind kind;
};

TEST(PacketKind, ClassifiesByFirstByteAsRfc7983) {
  const Case cases[] = {
      {0x00, 0x01, 20, PacketKind::stun},      // binding request
      {0x01, 0x01, 20, PacketKind::stun},      // binding success
      {0x03, 0x00, 100, PacketKind::stun},     // upper end of STUN
      {0x04, 0x00, 100, PacketKind::unknown},  // 4..15 unassigned
      {0x10, 0x00, 100, PacketKind::unknown},  // 16..19 ZRTP
      {0x13, 0x00, 100, PacketKind::unknown},
      {0x14, 0xfe, 13, PacketKind::dtls},      // change_cipher_spec (20)
      {0x16, 0xfe, 100, PacketKind::dtls},     // handshake (22)
      {0x17, 0xfe, 100, PacketKind::dtls},     // application data (23)
      {0x3f, 0x00, 100, PacketKind::dtls},     // upper end of DTLS
      {0x40, 0x00, 100, PacketKind::unknown},  // 64..79 TURN channel
      {0x7f, 0x00, 100, PacketKind::unknown},
      {0x80, 0x60, 12, PacketKind::rtp},       // PT 96, no marker
      {0x80, 0xe0, 100, PacketKind::rtp},      // PT 96 with marker
      {0x90, 0x6f, 100, PacketKind::rtp},      // extension bit, PT 111
      {0xbf, 0x00, 100, PacketKind::rtp},      // upper end of RTP/RTCP first bytes
      {0x80, 0xbf, 100, PacketKind::rtp},      // PT 63 with marker: still RTP
      {0x80, 0xc0, 8, PacketKind::rtcp},       // 192 (FIR, historic)
      {0x80, 0xc8, 28, PacketKind::rtcp},      // SR (200)
      {0x81, 0xc9, 32, PacketKind::rtcp},      // RR (201)
      {0x8f, 0xce, 20, PacketKind::rtcp},      // PSFB (206)
      {0x80, 0xdf, 8, PacketKind::rtcp},       // 223: upper end of the RTCP range
      {0x80, 0xe0, 12, PacketKind::rtp},       // 224: PT 96 with marker, RTP again
      {0xc0, 0x60, 100, PacketKind::unknown},  // version 3
      {0xff, 0xff, 100, PacketKind::unknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify_packet(datagram(c.first, c.second, c.size)), c.kind)
        << "first " << int{c.first} << " second " << int{c.second} << " size " << c.size;
  }
}

TEST(PacketKind, TooShortForItsHeaderIsUnknown) {
  EXPECT_EQ(classify_packet({}), PacketKind::unknown);
  EXPECT_EQ(classify_packet(datagram(0x00, 0x01, 19)), PacketKind::unknown);
  EXPECT_EQ(classify_packet(datagram(0x16, 0xfe, 12)), PacketKind::unknown);
  EXPECT_EQ(classify_packet(datagram(0x80, 0x60, 11)), PacketKind::unknown);
  EXPECT_EQ(classify_packet(datagram(0x80, 0xc8, 7)), PacketKind::unknown);
  EXPECT_EQ(classify_packet(datagram(0x80, 0x00, 1)), PacketKind::unknown);
  // An 8-byte RTCP packet is whole (header + SSRC); 8 bytes of RTP are not.
  EXPECT_EQ(classify_packet(datagram(0x80, 0xc9, 8)), PacketKind::rtcp);
  EXPECT_EQ(classify_packet(datagram(0x80, 0x60, 8)), PacketKind::unknown);
}

}  // namespace
}  // namespace vela::protocol::dtls
