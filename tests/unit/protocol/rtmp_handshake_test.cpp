#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <random>
#include <vector>

#include "protocol/rtmp/handshake.hpp"
#include "protocol/rtmp/handshake_digest.hpp"

namespace vela::protocol::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;
using Packet = std::array<uint8_t, kHandshakeSize>;

Packet random_packet(uint32_t seed) {
  Packet p;
  std::mt19937 rng(seed);
  for (auto& b : p) b = static_cast<uint8_t>(rng());
  return p;
}

// Independent HMAC-SHA256 straight from OpenSSL, to check our digest helpers.
Digest reference_hmac(std::span<const uint8_t> key, const Bytes& data) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &len);
  return out;
}

// A C1 built the way librtmp (OBS) and ffmpeg build theirs: time, a non-zero Flash
// version, random bytes, then the digest over everything else keyed with the first 30
// bytes of the Flash Player key, at the offset derived from bytes 8..11 (schema 1).
Packet librtmp_style_c1(uint32_t seed, DigestSchema schema = DigestSchema::schema1) {
  Packet c1 = random_packet(seed);
  c1[0] = c1[1] = c1[2] = c1[3] = 0;
  c1[4] = 0x80;  // librtmp: 128.0.7.2; ffmpeg: 9.0.124.2
  c1[5] = 0;
  c1[6] = 7;
  c1[7] = 2;
  size_t base = schema == DigestSchema::schema1 ? 8 : 772;
  size_t offset = (size_t{c1[base]} + c1[base + 1] + c1[base + 2] + c1[base + 3]) % 728 + base + 4;
  Bytes rest(c1.begin(), c1.begin() + offset);
  rest.insert(rest.end(), c1.begin() + offset + 32, c1.end());
  Digest d = reference_hmac(std::span(kGenuineFpKey).first(30), rest);
  std::copy(d.begin(), d.end(), c1.begin() + offset);
  return c1;
}

struct Reply {
  uint8_t s0;
  Packet s1;
  Packet s2;
};

Reply run_handshake(ServerHandshake& hs, const Packet& c1, uint32_t time_ms = 1234) {
  Bytes in = {3};
  in.insert(in.end(), c1.begin(), c1.end());
  Bytes out;
  auto used = hs.feed(in, time_ms, out);
  EXPECT_TRUE(used.ok());
  EXPECT_EQ(used.value(), in.size());
  EXPECT_EQ(out.size(), 1 + 2 * kHandshakeSize);
  Reply r{};
  r.s0 = out[0];
  std::copy(out.begin() + 1, out.begin() + 1 + kHandshakeSize, r.s1.begin());
  std::copy(out.begin() + 1 + kHandshakeSize, out.end(), r.s2.begin());
  return r;
}

TEST(HandshakeDigest, OffsetsFollowBothSchemas) {
  Packet p{};
  p[8] = 200;
  p[9] = 200;
  p[10] = 200;
  p[11] = 200;  // 800 % 728 = 72
  EXPECT_EQ(digest_offset(p, DigestSchema::schema1), 8u + 4 + 72);
  p[772] = 255;
  p[773] = 255;
  p[774] = 255;
  p[775] = 255;  // 1020 % 728 = 292
  EXPECT_EQ(digest_offset(p, DigestSchema::schema0), 772u + 4 + 292);
  // Always fully inside the packet.
  EXPECT_LE(digest_offset(p, DigestSchema::schema0) + kDigestSize, kHandshakeSize);
}

TEST(HandshakeDigest, ValidatesLibrtmpStyleC1) {
  Packet c1 = librtmp_style_c1(1);
  EXPECT_TRUE(has_valid_digest(c1, DigestSchema::schema1, fp_key_text()));
  EXPECT_EQ(find_client_digest(c1), DigestSchema::schema1);
  Packet c1_schema0 = librtmp_style_c1(2, DigestSchema::schema0);
  EXPECT_EQ(find_client_digest(c1_schema0), DigestSchema::schema0);
  // A single flipped bit outside the digest breaks it.
  c1[1000] ^= 1;
  EXPECT_FALSE(find_client_digest(c1).has_value());
  EXPECT_FALSE(find_client_digest(random_packet(3)).has_value());
}

TEST(HandshakeDigest, WriteDigestMatchesReferenceHmac) {
  Packet p = random_packet(4);
  write_digest(p, DigestSchema::schema0, fms_key_text());
  size_t offset = digest_offset(p, DigestSchema::schema0);
  Bytes rest(p.begin(), p.begin() + offset);
  rest.insert(rest.end(), p.begin() + offset + 32, p.end());
  Digest expected = reference_hmac(std::span(kGenuineFmsKey).first(36), rest);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), p.begin() + offset));
}

TEST(ServerHandshake, SimpleHandshakeEchoesC1) {
  Packet c1 = random_packet(5);
  c1[4] = c1[5] = c1[6] = c1[7] = 0;  // zero version: simple handshake
  ServerHandshake hs;
  Reply r = run_handshake(hs, c1, 0x01020304);
  EXPECT_FALSE(hs.used_digest());
  EXPECT_EQ(r.s0, 3);
  EXPECT_EQ((std::array<uint8_t, 8>{r.s1[0], r.s1[1], r.s1[2], r.s1[3], r.s1[4], r.s1[5], r.s1[6],
                                    r.s1[7]}),
            (std::array<uint8_t, 8>{1, 2, 3, 4, 0, 0, 0, 0}));
  EXPECT_EQ(r.s2, c1);
  EXPECT_FALSE(hs.done());
  Bytes c2(kHandshakeSize, 0x5A);
  Bytes out;
  auto used = hs.feed(c2, 0, out);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used.value(), kHandshakeSize);
  EXPECT_TRUE(hs.done());
  EXPECT_TRUE(out.empty());
}

TEST(ServerHandshake, VersionWithoutDigestFallsBackToSimple) {
  Packet c1 = random_packet(6);
  c1[4] = 9;  // claims a Flash version but carries no valid digest
  ServerHandshake hs;
  Reply r = run_handshake(hs, c1);
  EXPECT_FALSE(hs.used_digest());
  EXPECT_EQ(r.s2, c1);
}

// What librtmp's client checks (handshake.h): the S1 digest with the Media Server key,
// then the S2 signature derived from its own C1 digest; ffmpeg checks the same.
void expect_client_accepts(const Packet& c1, DigestSchema schema, const Reply& r) {
  EXPECT_EQ(r.s0, 3);
  EXPECT_GE(r.s1[4], 3);  // ffmpeg verifies S2 only when this is >= 3; librtmp needs non-zero
  EXPECT_TRUE(has_valid_digest(r.s1, schema, fms_key_text()));
  Digest client_digest;
  size_t at = digest_offset(c1, schema);
  std::copy(c1.begin() + at, c1.begin() + at + 32, client_digest.begin());
  // Signature computed independently: HMAC(HMAC(full FMS key, C1 digest), S2[0..1504)).
  Bytes digest_bytes(client_digest.begin(), client_digest.end());
  Digest key = reference_hmac(kGenuineFmsKey, digest_bytes);
  Digest sig = reference_hmac(key, Bytes(r.s2.begin(), r.s2.begin() + 1504));
  EXPECT_TRUE(std::equal(sig.begin(), sig.end(), r.s2.begin() + 1504));
  EXPECT_EQ(response_signature(r.s2, client_digest, kGenuineFmsKey), sig);
}

TEST(ServerHandshake, DigestHandshakeSchema1) {
  Packet c1 = librtmp_style_c1(7);
  ServerHandshake hs;
  Reply r = run_handshake(hs, c1);
  EXPECT_TRUE(hs.used_digest());
  expect_client_accepts(c1, DigestSchema::schema1, r);
}

TEST(ServerHandshake, DigestHandshakeSchema0) {
  Packet c1 = librtmp_style_c1(8, DigestSchema::schema0);
  ServerHandshake hs;
  Reply r = run_handshake(hs, c1);
  EXPECT_TRUE(hs.used_digest());
  expect_client_accepts(c1, DigestSchema::schema0, r);
}

TEST(ServerHandshake, ByteAtATimeAndLeftoverAfterC2) {
  Packet c1 = librtmp_style_c1(9);
  Bytes in = {3};
  in.insert(in.end(), c1.begin(), c1.end());
  in.insert(in.end(), kHandshakeSize, 0x11);  // C2
  in.insert(in.end(), {0x03, 0x00, 0x00});    // the first chunk, sent with C2
  ServerHandshake hs;
  Bytes out;
  size_t consumed = 0;
  for (size_t i = 0; i < in.size() && !hs.done(); ++i) {
    auto used = hs.feed(std::span(in).subspan(i, 1), 0, out);
    ASSERT_TRUE(used.ok());
    consumed += used.value();
    if (i < kHandshakeSize) {
      EXPECT_TRUE(out.empty());
    }
  }
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(consumed, 1 + 2 * kHandshakeSize);
  EXPECT_EQ(out.size(), 1 + 2 * kHandshakeSize);

  // All at once: the chunk bytes after C2 are left for the caller.
  ServerHandshake all;
  Bytes out2;
  auto used = all.feed(in, 0, out2);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used.value(), 1 + 2 * kHandshakeSize);
  EXPECT_TRUE(all.done());
}

TEST(ServerHandshake, RejectsOtherVersions) {
  ServerHandshake hs;
  Bytes out;
  auto r = hs.feed(Bytes{6}, 0, out);  // RTMPE
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unsupported version 6"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vela::protocol::rtmp
