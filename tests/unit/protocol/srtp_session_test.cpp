#include "protocol/dtls/srtp_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vela::protocol::dtls {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes master(SrtpProfile profile, uint8_t seed) {
  Bytes m(kSrtpMasterKeySize + srtp_master_salt_size(profile));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(seed + 7 * i);
  return m;
}

Bytes rtp(uint16_t seq, uint32_t ssrc = 0x11223344, size_t payload = 100) {
  Bytes p = {0x80,
             0x60,
             static_cast<uint8_t>(seq >> 8),
             static_cast<uint8_t>(seq),
             0,
             0,
             0x10,
             0x00,  // timestamp
             static_cast<uint8_t>(ssrc >> 24),
             static_cast<uint8_t>(ssrc >> 16),
             static_cast<uint8_t>(ssrc >> 8),
             static_cast<uint8_t>(ssrc)};
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(i * 3 + seq));
  return p;
}

// A receiver report with one report block.
Bytes rtcp_rr(uint32_t ssrc = 0x55667788) {
  Bytes p = {0x81,
             201,
             0,
             7,
             static_cast<uint8_t>(ssrc >> 24),
             static_cast<uint8_t>(ssrc >> 16),
             static_cast<uint8_t>(ssrc >> 8),
             static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<uint8_t>(0xa0 + i));
  return p;
}

size_t tag_size(SrtpProfile profile) {
  return profile == SrtpProfile::aead_aes_128_gcm ? 16 : 10;
}

// Two ends of one connection: what a sends, b receives, and the other way round.
struct Ends {
  std::unique_ptr<SrtpSession> a;
  std::unique_ptr<SrtpSession> b;
};

Ends make_ends(SrtpProfile profile) {
  const Bytes ka = master(profile, 1), kb = master(profile, 101);
  auto a = SrtpSession::create({profile, ka, kb});
  auto b = SrtpSession::create({profile, kb, ka});
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  if (!a.ok() || !b.ok()) return {};
  return {std::move(a).value(), std::move(b).value()};
}

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpSessionTest, RtpRoundTrip) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  for (uint16_t seq = 1000; seq < 1010; ++seq) {
    const Bytes plain = rtp(seq);
    Bytes packet = plain;
    ASSERT_TRUE(ends.a->protect_rtp(packet).ok());
    ASSERT_EQ(packet.size(), plain.size() + tag_size(GetParam()));
    EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 12, packet.begin()));      // header clear
    EXPECT_FALSE(std::equal(plain.begin() + 12, plain.end(), packet.begin() + 12));  // encrypted
    auto length = ends.b->unprotect_rtp(packet);
    ASSERT_TRUE(length.ok()) << length.error().message;
    ASSERT_EQ(*length, plain.size());
    EXPECT_EQ(Bytes(packet.begin(), packet.begin() + *length), plain);
  }
}

TEST_P(SrtpSessionTest, RtcpRoundTripBothWays) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  for (SrtpSession* from : {ends.a.get(), ends.b.get()}) {
    SrtpSession* to = from == ends.a.get() ? ends.b.get() : ends.a.get();
    const Bytes plain = rtcp_rr();
    Bytes packet = plain;
    ASSERT_TRUE(from->protect_rtcp(packet).ok());
    ASSERT_EQ(packet.size(), plain.size() + 4 + tag_size(GetParam()));
    auto length = to->unprotect_rtcp(packet);
    ASSERT_TRUE(length.ok()) << length.error().message;
    EXPECT_EQ(Bytes(packet.begin(), packet.begin() + *length), plain);
  }
}

TEST_P(SrtpSessionTest, TamperedPacketFailsAuthentication) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  Bytes packet = rtp(5);
  ASSERT_TRUE(ends.a->protect_rtp(packet).ok());
  packet[40] ^= 0x01;
  auto result = ends.b->unprotect_rtp(packet);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("authentication failed"), std::string::npos)
      << result.error().message;

  Bytes report = rtcp_rr();
  ASSERT_TRUE(ends.a->protect_rtcp(report).ok());
  report[9] ^= 0x80;
  auto rtcp_result = ends.b->unprotect_rtcp(report);
  ASSERT_FALSE(rtcp_result.ok());
  EXPECT_NE(rtcp_result.error().message.find("authentication failed"), std::string::npos);
}

TEST_P(SrtpSessionTest, ReplayIsRefusedButLateRetransmissionInWindowIsNot) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  auto send = [&](uint16_t seq) {
    Bytes p = rtp(seq);
    EXPECT_TRUE(ends.a->protect_rtp(p).ok());
    return p;
  };
  const Bytes first = send(100);
  Bytes copy = first;
  ASSERT_TRUE(ends.b->unprotect_rtp(copy).ok());
  copy = first;
  auto replay = ends.b->unprotect_rtp(copy);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.error().message.find("replay"), std::string::npos) << replay.error().message;

  // Jump ahead by 1000 packets, then a packet from just after 100 still gets in.
  const Bytes late = send(101);
  Bytes ahead = send(1100);
  ASSERT_TRUE(ends.b->unprotect_rtp(ahead).ok());
  copy = late;
  EXPECT_TRUE(ends.b->unprotect_rtp(copy).ok());
  // ... but once the window moved past it, a packet is too old.
  const Bytes old = send(102);
  Bytes far = send(1200);
  ASSERT_TRUE(ends.b->unprotect_rtp(far).ok());
  copy = old;
  auto too_old = ends.b->unprotect_rtp(copy);
  ASSERT_FALSE(too_old.ok());
  EXPECT_NE(too_old.error().message.find("too old"), std::string::npos) << too_old.error().message;
}

TEST_P(SrtpSessionTest, OutboundMayRepeatASequenceNumber) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  Bytes once = rtp(7), twice = rtp(7);
  ASSERT_TRUE(ends.a->protect_rtp(once).ok());
  ASSERT_TRUE(ends.a->protect_rtp(twice).ok()) << "a NACK retransmission must be protectable";
  EXPECT_EQ(once, twice);  // same packet, same key stream
  EXPECT_TRUE(ends.b->unprotect_rtp(twice).ok());
}

TEST_P(SrtpSessionTest, AnyInboundSsrcIsAccepted) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  for (uint32_t ssrc : {0x1u, 0xdeadbeefu, 0x12345678u}) {
    Bytes p = rtp(1, ssrc);
    ASSERT_TRUE(ends.a->protect_rtp(p).ok());
    EXPECT_TRUE(ends.b->unprotect_rtp(p).ok()) << ssrc;
  }
}

TEST_P(SrtpSessionTest, WrongKeyFailsAuthentication) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  auto stranger = SrtpSession::create({GetParam(), master(GetParam(), 55), master(GetParam(), 66)});
  ASSERT_TRUE(stranger.ok());
  Bytes p = rtp(1);
  ASSERT_TRUE((*stranger)->protect_rtp(p).ok());
  auto result = ends.b->unprotect_rtp(p);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("authentication failed"), std::string::npos);
}

TEST_P(SrtpSessionTest, TooShortPacketsAreErrors) {
  auto ends = make_ends(GetParam());
  ASSERT_TRUE(ends.a && ends.b);
  Bytes tiny(11, 0x80);
  const Bytes before = tiny;
  auto protect = ends.a->protect_rtp(tiny);
  ASSERT_FALSE(protect.ok());
  EXPECT_EQ(tiny, before);
  for (size_t size : {0u, 5u, 12u, 21u}) {
    Bytes p(size, 0x80);
    auto r = ends.b->unprotect_rtp(p);
    ASSERT_FALSE(r.ok()) << size;
    Bytes q(size, 0x80);
    if (q.size() > 1) q[1] = 200;
    auto c = ends.b->unprotect_rtcp(q);
    ASSERT_FALSE(c.ok()) << size;
  }
  Bytes no_tag = rtp(1, 0x11223344, 0);  // a header and nothing to authenticate with
  auto r = ends.b->unprotect_rtp(no_tag);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("too short"), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::aead_aes_128_gcm,
                                           SrtpProfile::aes128_cm_sha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::aead_aes_128_gcm ? "gcm" : "cm80";
                         });

TEST(SrtpSession, RejectsKeysOfTheWrongLength) {
  const Bytes cm = master(SrtpProfile::aes128_cm_sha1_80, 1);  // 30 bytes
  const Bytes gcm = master(SrtpProfile::aead_aes_128_gcm, 1);  // 28 bytes
  EXPECT_FALSE(SrtpSession::create({SrtpProfile::aead_aes_128_gcm, cm, cm}).ok());
  EXPECT_FALSE(SrtpSession::create({SrtpProfile::aes128_cm_sha1_80, gcm, gcm}).ok());
  EXPECT_FALSE(SrtpSession::create({SrtpProfile::aes128_cm_sha1_80, cm, {}}).ok());
  EXPECT_TRUE(SrtpSession::create({SrtpProfile::aes128_cm_sha1_80, cm, cm}).ok());
}

}  // namespace
}  // namespace vela::protocol::dtls
