#include "protocol/stun/ice_tcp_framing.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "unit/protocol/stun_rfc5769_vectors.hpp"

namespace vela::protocol::stun {
namespace {

using Bytes = std::vector<uint8_t>;

// Drains every whole packet the deframer has; fails the test on an error.
void drain(IceTcpDeframer& deframer, std::vector<Bytes>& out) {
  for (;;) {
    auto packet = deframer.next();
    ASSERT_TRUE(packet.ok()) << packet.error().message;
    if (!*packet) return;
    out.emplace_back((*packet)->begin(), (*packet)->end());
  }
}

std::vector<Bytes> sample_packets() {
  return {Bytes(rfc5769::kRequest.begin(), rfc5769::kRequest.end()), Bytes{0x80}, Bytes(300, 0x16),
          Bytes(rfc5769::kResponseIpv6.begin(), rfc5769::kResponseIpv6.end())};
}

Bytes framed(const std::vector<Bytes>& packets) {
  Bytes stream;
  for (const Bytes& packet : packets) EXPECT_TRUE(append_framed(packet, stream).ok());
  return stream;
}

TEST(IceTcpFraming, FramerPrefixesBigEndianLength) {
  Bytes out;
  ASSERT_TRUE(append_framed(Bytes(0x0102, 7), out).ok());
  ASSERT_EQ(out.size(), 2u + 0x0102);
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x02);
  EXPECT_EQ(out[2], 7);
  EXPECT_FALSE(append_framed(Bytes{}, out).ok());
  EXPECT_FALSE(append_framed(Bytes(0x10000, 0), out).ok());
  EXPECT_TRUE(append_framed(Bytes(0xFFFF, 0), out).ok());
}

TEST(IceTcpFraming, WholeStreamAtOnce) {
  IceTcpDeframer deframer;
  ASSERT_TRUE(deframer.feed(framed(sample_packets())).ok());
  std::vector<Bytes> got;
  drain(deframer, got);
  EXPECT_EQ(got, sample_packets());
  EXPECT_EQ(deframer.buffered(), 0u);
}

TEST(IceTcpFraming, EverySplitIntoTwoAndThreePieces) {
  Bytes stream = framed(sample_packets());
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); b += (a % 7 == 0 ? 1 : 37)) {
      IceTcpDeframer deframer;
      std::vector<Bytes> got;
      for (auto [from, to] :
           {std::pair{size_t{0}, a}, std::pair{a, b}, std::pair{b, stream.size()}}) {
        ASSERT_TRUE(deframer.feed(std::span<const uint8_t>(stream).subspan(from, to - from)).ok());
        drain(deframer, got);
      }
      ASSERT_EQ(got, sample_packets()) << "split at " << a << ", " << b;
      ASSERT_EQ(deframer.buffered(), 0u);
    }
  }
}

TEST(IceTcpFraming, ByteByByte) {
  Bytes stream = framed(sample_packets());
  IceTcpDeframer deframer;
  std::vector<Bytes> got;
  for (uint8_t byte : stream) {
    ASSERT_TRUE(deframer.feed(Bytes{byte}).ok());
    drain(deframer, got);
  }
  EXPECT_EQ(got, sample_packets());
}

TEST(IceTcpFraming, PartialFrameWaits) {
  IceTcpDeframer deframer;
  ASSERT_TRUE(deframer.feed(Bytes{0x00, 0x03, 0xAA, 0xBB}).ok());
  auto packet = deframer.next();
  ASSERT_TRUE(packet.ok());
  EXPECT_FALSE(*packet);
  EXPECT_EQ(deframer.buffered(), 4u);
}

TEST(IceTcpFraming, OversizedFrameIsAStickyError) {
  IceTcpDeframer deframer(1500);
  ASSERT_TRUE(deframer.feed(Bytes{0x05, 0xDD}).ok());  // 1501
  EXPECT_FALSE(deframer.next().ok());
  EXPECT_FALSE(deframer.feed(Bytes{0x00, 0x01, 0x00}).ok());
  EXPECT_FALSE(deframer.next().ok());
  // The bound itself is allowed.
  IceTcpDeframer exact(1500);
  Bytes stream;
  ASSERT_TRUE(append_framed(Bytes(1500, 1), stream).ok());
  ASSERT_TRUE(exact.feed(stream).ok());
  auto packet = exact.next();
  ASSERT_TRUE(packet.ok());
  ASSERT_TRUE(*packet);
  EXPECT_EQ((*packet)->size(), 1500u);
}

TEST(IceTcpFraming, ZeroLengthFrameIsAnError) {
  IceTcpDeframer deframer;
  Bytes stream = framed({Bytes{1, 2}});
  stream.insert(stream.end(), {0x00, 0x00});
  ASSERT_TRUE(deframer.feed(stream).ok());
  auto first = deframer.next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(*first);
  EXPECT_EQ(Bytes((*first)->begin(), (*first)->end()), (Bytes{1, 2}));
  EXPECT_FALSE(deframer.next().ok());
}

}  // namespace
}  // namespace vela::protocol::stun
