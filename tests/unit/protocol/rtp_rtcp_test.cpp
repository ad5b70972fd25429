#include <gtest/gtest.h>

#include <vector>

#include "protocol/rtp/rtcp.hpp"

namespace vela::protocol::rtp {
namespace {

std::vector<uint8_t> write_all(const std::vector<RtcpMessage>& messages) {
  std::vector<uint8_t> out;
  for (const auto& m : messages) {
    auto s = write_rtcp(m, out);
    EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
  }
  return out;
}

RtcpCompound parse_ok(const std::vector<uint8_t>& bytes) {
  auto c = parse_rtcp(bytes);
  EXPECT_FALSE(c.error.has_value()) << c.error->message;
  return c;
}

ReportBlock block(uint32_t ssrc) {
  return {ssrc, 25, -3, 0x0001FFFF, 77, 0xDEADBEEF, 65536};
}

TEST(RtcpCompound, SenderReportSdesByeRoundTrip) {
  SenderReport sr{0x1234, 0xE1234567'89ABCDEFull, 90000, 10, 12000, {block(7), block(8)}};
  Sdes sdes{{{0x1234, "vela-cname"}, {0x99, ""}}};
  Bye bye{{0x1234, 0x5678}, "shutting down"};
  auto bytes = write_all({sr, sdes, bye});
  EXPECT_EQ(bytes.size() % 4, 0u);
  auto c = parse_ok(bytes);
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(std::get<SenderReport>(c.messages[0]), sr);
  EXPECT_EQ(std::get<Sdes>(c.messages[1]), sdes);
  EXPECT_EQ(std::get<Bye>(c.messages[2]), bye);
}

TEST(RtcpCompound, ReceiverReportRoundTrip) {
  ReceiverReport rr{0xABCD, {block(1)}};
  ReceiverReport empty{0x1, {}};
  auto bytes = write_all({rr, empty});
  EXPECT_EQ(bytes.size(), 4u + 4 + 24 + 8);
  auto c = parse_ok(bytes);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(std::get<ReceiverReport>(c.messages[0]), rr);
  EXPECT_EQ(std::get<ReceiverReport>(c.messages[0]).reports[0].cumulative_lost, -3);
  EXPECT_EQ(std::get<ReceiverReport>(c.messages[1]), empty);
}

TEST(RtcpCompound, FeedbackMessagesRoundTrip) {
  Nack nack{1, 2, {65534, 65535, 0, 10, 17, 18, 100}};
  Pli pli{1, 2};
  Fir fir{1, {{2, 7}, {3, 255}}};
  Remb remb{1, 2'500'000, {2, 3}};
  auto bytes = write_all({nack, pli, fir, remb});
  auto c = parse_ok(bytes);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(std::get<Nack>(c.messages[0]), nack);
  EXPECT_EQ(std::get<Pli>(c.messages[1]), pli);
  EXPECT_EQ(std::get<Fir>(c.messages[2]), fir);
  const auto& r = std::get<Remb>(c.messages[3]);
  EXPECT_EQ(r.ssrcs, remb.ssrcs);
  EXPECT_LE(r.bitrate_bps, remb.bitrate_bps);
  EXPECT_GT(r.bitrate_bps, remb.bitrate_bps - remb.bitrate_bps / 100000);
}

TEST(RtcpCompound, NackPacksSixteenFollowersPerEntry) {
  Nack nack{1, 2, {}};
  for (uint16_t s = 10; s <= 26; ++s) nack.sequences.push_back(s);  // one PID + 16 bits
  auto bytes = write_all({nack});
  EXPECT_EQ(bytes.size(), 12u + 4);
  nack.sequences.push_back(27);
  EXPECT_EQ(write_all({nack}).size(), 12u + 8);
}

TEST(RtcpCompound, ParsesBrowserReducedSizeRemb) {
  // A REMB as browsers send it: 1 SSRC, exponent 3, mantissa 0x3FFFF.
  std::vector<uint8_t> bytes = {0x8F, 206, 0, 5,  0, 0, 0, 1,   0, 0, 0, 0,
                                'R',  'E', 'M', 'B', 1, 0x0F, 0xFF, 0xFF, 0, 0, 0, 9};
  auto c = parse_ok(bytes);
  ASSERT_EQ(c.messages.size(), 1u);
  const auto& r = std::get<Remb>(c.messages[0]);
  EXPECT_EQ(r.bitrate_bps, 0x3FFFFull << 3);
  EXPECT_EQ(r.ssrcs, std::vector<uint32_t>{9});
}

TEST(RtcpCompound, SkipsUnknownTypesButKeepsGoing) {
  std::vector<uint8_t> bytes = {0x80, 204, 0, 2, 0, 0, 0, 1, 'n', 'a', 'm', 'e'};  // APP
  auto tail = write_all({Pli{5, 6}});
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  auto c = parse_ok(bytes);
  EXPECT_EQ(c.skipped, 1u);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(std::get<Pli>(c.messages[0]), (Pli{5, 6}));
}

TEST(RtcpCompound, KeepsWhatWasReadBeforeAnError) {
  auto bytes = write_all({ReceiverReport{1, {}}, Pli{1, 2}});
  auto truncated = bytes;
  truncated.resize(truncated.size() - 4);  // PLI length now runs past the datagram
  auto c = parse_rtcp(truncated);
  ASSERT_TRUE(c.error.has_value());
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ReceiverReport>(c.messages[0]));

  auto bad_version = bytes;
  bad_version[8] = 0x41;
  c = parse_rtcp(bad_version);
  ASSERT_TRUE(c.error.has_value());
  EXPECT_EQ(c.messages.size(), 1u);
}

TEST(RtcpCompound, RejectsMalformedBodies) {
  EXPECT_TRUE(parse_rtcp({}).error.has_value());
  EXPECT_TRUE(parse_rtcp(std::vector<uint8_t>{0x80, 201}).error.has_value());
  // RR claiming 2 report blocks with none present.
  EXPECT_TRUE(parse_rtcp(std::vector<uint8_t>{0x82, 201, 0, 1, 0, 0, 0, 1}).error.has_value());
  // SR without sender info.
  EXPECT_TRUE(parse_rtcp(std::vector<uint8_t>{0x80, 200, 0, 1, 0, 0, 0, 1}).error.has_value());
  // NACK without FCI.
  EXPECT_TRUE(
      parse_rtcp(std::vector<uint8_t>{0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2}).error.has_value());
  // Padding count larger than the body.
  EXPECT_TRUE(parse_rtcp(std::vector<uint8_t>{0xA0, 201, 0, 1, 0, 0, 0, 9}).error.has_value());
  // SDES item running past the packet.
  EXPECT_TRUE(parse_rtcp(std::vector<uint8_t>{0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 'a', 'b'})
                  .error.has_value());
}

TEST(RtcpCompound, RefusesUnwritableMessages) {
  std::vector<uint8_t> out;
  ReceiverReport rr{1, std::vector<ReportBlock>(32)};
  EXPECT_FALSE(write_rtcp(rr, out).ok());
  EXPECT_FALSE(write_rtcp(Sdes{{{1, std::string(256, 'x')}}}, out).ok());
  EXPECT_FALSE(write_rtcp(Nack{1, 2, {}}, out).ok());
  EXPECT_FALSE(write_rtcp(Fir{1, {}}, out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vela::protocol::rtp
