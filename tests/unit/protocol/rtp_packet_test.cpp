#include <gtest/gtest.h>

#include <vector>

#include "protocol/rtp/rtp_packet.hpp"

namespace vela::protocol::rtp {
namespace {

std::vector<uint8_t> build(const RtpHeader& h, std::vector<uint8_t> payload) {
  std::vector<uint8_t> out;
  auto s = write_rtp(h, payload, out);
  EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
  return out;
}

TEST(RtpPacket, RoundTripsPlainHeader) {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 96;
  h.sequence = 65535;
  h.timestamp = 0xFFFFFFF0u;
  h.ssrc = 0x11223344;
  auto bytes = build(h, {1, 2, 3});
  ASSERT_EQ(bytes.size(), 15u);
  EXPECT_EQ(bytes[0], 0x80);
  EXPECT_EQ(bytes[1], 0x80 | 96);
  auto p = parse_rtp(bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->marker);
  EXPECT_EQ(p->payload_type, 96);
  EXPECT_EQ(p->sequence, 65535);
  EXPECT_EQ(p->timestamp, 0xFFFFFFF0u);
  EXPECT_EQ(p->ssrc, 0x11223344u);
  EXPECT_FALSE(p->has_extension);
  EXPECT_EQ(std::vector<uint8_t>(p->payload.begin(), p->payload.end()),
            (std::vector<uint8_t>{1, 2, 3}));
}

TEST(RtpPacket, CsrcsAndPaddingRoundTrip) {
  RtpHeader h;
  h.payload_type = 111;
  h.csrcs = {1, 2, 3};
  h.padding = 5;
  auto bytes = build(h, {9, 9});
  EXPECT_EQ(bytes.size(), 12u + 12 + 2 + 5);
  auto p = parse_rtp(bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->csrc_list().size(), 3u);
  EXPECT_EQ(p->csrc_list()[2], 3u);
  EXPECT_EQ(p->padding_size, 5);
  EXPECT_EQ(p->payload.size(), 2u);
  EXPECT_EQ(p->payload[0], 9);
}

TEST(RtpPacket, OneByteExtensionsById) {
  RtpHeader h;
  h.extensions = {{3, {0xAA, 0xBB}}, {14, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}};
  auto bytes = build(h, {0x42});
  auto p = parse_rtp(bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->extension_profile, kOneByteExtensionProfile);
  auto e3 = p->extension(3);
  ASSERT_TRUE(e3.has_value());
  EXPECT_EQ(std::vector<uint8_t>(e3->begin(), e3->end()), (std::vector<uint8_t>{0xAA, 0xBB}));
  auto e14 = p->extension(14);
  ASSERT_TRUE(e14.has_value());
  EXPECT_EQ(e14->size(), 16u);
  EXPECT_EQ((*e14)[15], 16);
  EXPECT_FALSE(p->extension(4).has_value());
  EXPECT_FALSE(p->extension(0).has_value());
  ASSERT_EQ(p->payload.size(), 1u);
  EXPECT_EQ(p->payload[0], 0x42);
}

TEST(RtpPacket, TwoByteExtensionsWhenNeeded) {
  RtpHeader h;
  h.extensions = {{20, {7}}, {5, {}}, {1, std::vector<uint8_t>(40, 0x5A)}};
  auto bytes = build(h, {});
  auto p = parse_rtp(bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->extension_profile & 0xFFF0, kTwoByteExtensionProfile);
  ASSERT_TRUE(p->extension(20).has_value());
  EXPECT_EQ((*p->extension(20))[0], 7);
  ASSERT_TRUE(p->extension(5).has_value());
  EXPECT_TRUE(p->extension(5)->empty());
  ASSERT_TRUE(p->extension(1).has_value());
  EXPECT_EQ(p->extension(1)->size(), 40u);
  EXPECT_TRUE(p->payload.empty());

  RtpHeader forced;
  forced.force_two_byte_extensions = true;
  forced.extensions = {{2, {1, 2}}};
  auto fp = parse_rtp(build(forced, {}));
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->extension_profile, kTwoByteExtensionProfile);
}

TEST(RtpPacket, RejectsUnwritableHeaders) {
  std::vector<uint8_t> out;
  RtpHeader h;
  h.payload_type = 128;
  EXPECT_FALSE(write_rtp(h, {}, out).ok());
  h.payload_type = 0;
  h.csrcs.assign(16, 1);
  EXPECT_FALSE(write_rtp(h, {}, out).ok());
  h.csrcs.clear();
  h.extensions = {{0, {1}}};
  EXPECT_FALSE(write_rtp(h, {}, out).ok());
  h.extensions = {{1, std::vector<uint8_t>(256, 0)}};
  EXPECT_FALSE(write_rtp(h, {}, out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(RtpPacket, RejectsMalformedPackets) {
  RtpHeader h;
  h.csrcs = {1};
  h.extensions = {{1, {1, 2, 3}}};
  auto good = build(h, {1, 2, 3, 4});
  ASSERT_TRUE(parse_rtp(good).ok());

  EXPECT_FALSE(parse_rtp(std::vector<uint8_t>(11, 0x80)).ok());  // short header
  auto v1 = good;
  v1[0] = (v1[0] & 0x3F) | 0x40;
  EXPECT_FALSE(parse_rtp(v1).ok());
  auto many_csrc = good;
  many_csrc[0] |= 0x0F;
  EXPECT_FALSE(parse_rtp(many_csrc).ok());
  auto long_ext = good;
  long_ext[12 + 4 + 3] = 0x40;  // extension length in words far too large
  EXPECT_FALSE(parse_rtp(long_ext).ok());
  auto bad_element = good;
  bad_element[12 + 4 + 4] = 0x1F;  // id 1, length 16: runs past the 4-byte block
  EXPECT_FALSE(parse_rtp(bad_element).ok());
  auto bad_pad = good;
  bad_pad[0] |= 0x20;
  bad_pad.back() = 200;
  EXPECT_FALSE(parse_rtp(bad_pad).ok());
  bad_pad.back() = 0;
  EXPECT_FALSE(parse_rtp(bad_pad).ok());
}

TEST(RtpPacket, OneByteReservedIdStopsTheBlock) {
  // 0xBEDE block: element id 1 (1 byte), then id 15 (reserved): stop, no error.
  std::vector<uint8_t> bytes = {0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2,
                                0xBE, 0xDE, 0, 1, 0x10, 0xAB, 0xF0, 0x00};
  auto p = parse_rtp(bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(p->extension(1).has_value());
  EXPECT_EQ((*p->extension(1))[0], 0xAB);
}

TEST(RtpPacket, DemultiplexesRtcp) {
  EXPECT_TRUE(looks_like_rtcp(std::vector<uint8_t>{0x80, 200, 0, 6}));
  EXPECT_TRUE(looks_like_rtcp(std::vector<uint8_t>{0x81, 205, 0, 6}));
  EXPECT_FALSE(looks_like_rtcp(std::vector<uint8_t>{0x80, 96, 0, 6}));
  EXPECT_FALSE(looks_like_rtcp(std::vector<uint8_t>{0x80, 0x80 | 96, 0, 6}));
}

}  // namespace
}  // namespace vela::protocol::rtp
