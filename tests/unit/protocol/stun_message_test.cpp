#include "protocol/stun/stun_message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/stun/stun_builder.hpp"
#include "unit/protocol/stun_rfc5769_vectors.hpp"

namespace vela::protocol::stun {
namespace {

using Bytes = std::vector<uint8_t>;

template <size_t N>
Bytes bytes_of(const std::array<uint8_t, N>& array) {
  return Bytes(array.begin(), array.end());
}

MessageView parsed(std::span<const uint8_t> bytes) {
  auto message = parse_message(bytes);
  EXPECT_TRUE(message.ok()) << (message ? "" : message.error().message);
  return message ? *message : MessageView{};
}

std::string parse_error(std::span<const uint8_t> bytes) {
  auto message = parse_message(bytes);
  EXPECT_FALSE(message.ok()) << "parsed";
  return message ? "" : message.error().message;
}

void set_length(Bytes& bytes, size_t length) {
  bytes[2] = static_cast<uint8_t>(length >> 8);
  bytes[3] = static_cast<uint8_t>(length);
}

const SocketAddress kIpv4 = SocketAddress::ipv4({192, 0, 2, 1}, 32853);
const SocketAddress kIpv6 = SocketAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                                 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77},
                                                32853);

TEST(StunMessage, Rfc5769RequestParsesAndVerifies) {
  Bytes bytes = bytes_of(rfc5769::kRequest);
  MessageView m = parsed(bytes);
  EXPECT_EQ(m.method, kMethodBinding);
  EXPECT_EQ(m.message_class, MessageClass::request);
  EXPECT_EQ(m.transaction_id, rfc5769::kTransactionId);
  ASSERT_TRUE(m.username);
  EXPECT_EQ(*m.username, "evtj:h6vY");
  ASSERT_TRUE(m.software);
  EXPECT_EQ(*m.software, "STUN test client");
  EXPECT_EQ(m.priority, 0x6e0001ffu);
  EXPECT_EQ(m.ice_controlled, 0x932ff9b151263b36u);
  EXPECT_FALSE(m.ice_controlling);
  EXPECT_FALSE(m.use_candidate);
  EXPECT_TRUE(m.unknown_required.empty());
  EXPECT_EQ(m.integrity_offset, 76u);
  EXPECT_EQ(m.fingerprint_offset, 100u);
  EXPECT_TRUE(verify_integrity(bytes, m, rfc5769::kPassword).ok());
  EXPECT_TRUE(verify_fingerprint(bytes, m).ok());
  EXPECT_FALSE(verify_integrity(bytes, m, std::string_view("VOkJxbRl1RmTxUk/WvJxBu")).ok());
}

TEST(StunMessage, Rfc5769ResponsesParseAndVerify) {
  Bytes v4 = bytes_of(rfc5769::kResponseIpv4);
  MessageView m4 = parsed(v4);
  EXPECT_EQ(m4.message_class, MessageClass::success);
  EXPECT_EQ(m4.xor_mapped_address, kIpv4);
  EXPECT_EQ(*m4.software, "test vector");
  EXPECT_TRUE(verify_integrity(v4, m4, rfc5769::kPassword).ok());
  EXPECT_TRUE(verify_fingerprint(v4, m4).ok());

  Bytes v6 = bytes_of(rfc5769::kResponseIpv6);
  MessageView m6 = parsed(v6);
  EXPECT_EQ(m6.xor_mapped_address, kIpv6);
  EXPECT_EQ(m6.xor_mapped_address->to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(verify_integrity(v6, m6, rfc5769::kPassword).ok());
  EXPECT_TRUE(verify_fingerprint(v6, m6).ok());
}

TEST(StunMessage, BuilderReproducesRfc5769RequestExactly) {
  MessageBuilder b(kMethodBinding, MessageClass::request, rfc5769::kTransactionId);
  b.set_padding_byte(0x20);
  b.add_software("STUN test client");
  b.add_priority(0x6e0001ff);
  b.add_ice_controlled(0x932ff9b151263b36);
  b.add_username("evtj:h6vY");
  ASSERT_TRUE(b.add_message_integrity(rfc5769::kPassword).ok());
  b.add_fingerprint();
  EXPECT_EQ(std::move(b).finish(), bytes_of(rfc5769::kRequest));
}

TEST(StunMessage, BuilderReproducesRfc5769ResponsesExactly) {
  for (const auto& [address, expected] : {std::pair{kIpv4, bytes_of(rfc5769::kResponseIpv4)},
                                          std::pair{kIpv6, bytes_of(rfc5769::kResponseIpv6)}}) {
    MessageBuilder b(kMethodBinding, MessageClass::success, rfc5769::kTransactionId);
    b.set_padding_byte(0x20);
    b.add_software("test vector");
    b.add_xor_mapped_address(address);
    ASSERT_TRUE(b.add_message_integrity(rfc5769::kPassword).ok());
    b.add_fingerprint();
    EXPECT_EQ(std::move(b).finish(), expected) << address.to_string();
  }
}

TEST(StunMessage, BuiltMessageRoundTrips) {
  TransactionId id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  MessageBuilder b(kMethodBinding, MessageClass::error, id);
  b.add_error_code(487, "Role Conflict");
  uint16_t unknown[] = {0x7777, 0x0042};
  b.add_unknown_attributes(unknown);
  b.add_ice_controlling(42);
  b.add_use_candidate();
  ASSERT_TRUE(b.add_message_integrity(std::string_view("pw")).ok());
  b.add_fingerprint();
  Bytes bytes = std::move(b).finish();
  MessageView m = parsed(bytes);
  EXPECT_EQ(m.message_class, MessageClass::error);
  EXPECT_EQ(m.transaction_id, id);
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->code, 487);
  EXPECT_EQ(m.error->reason, "Role Conflict");
  EXPECT_EQ(m.ice_controlling, 42u);
  EXPECT_TRUE(m.use_candidate);
  EXPECT_TRUE(verify_integrity(bytes, m, std::string_view("pw")).ok());
  EXPECT_FALSE(verify_integrity(bytes, m, std::string_view("pX")).ok());
  EXPECT_TRUE(verify_fingerprint(bytes, m).ok());
}

TEST(StunMessage, MessageTypeEncodesClassAndMethod) {
  EXPECT_EQ(message_type(kMethodBinding, MessageClass::request), 0x0001);
  EXPECT_EQ(message_type(kMethodBinding, MessageClass::indication), 0x0011);
  EXPECT_EQ(message_type(kMethodBinding, MessageClass::success), 0x0101);
  EXPECT_EQ(message_type(kMethodBinding, MessageClass::error), 0x0111);
  EXPECT_EQ(message_type(0xFFF, MessageClass::request), 0x3EEF);
  // Every method and class survives a round trip through a header.
  for (uint16_t method : {0x001, 0x003, 0x00F, 0x010, 0x080, 0xABC, 0xFFF}) {
    for (auto c : {MessageClass::request, MessageClass::indication, MessageClass::success,
                   MessageClass::error}) {
      MessageBuilder b(method, c, TransactionId{});
      Bytes bytes = std::move(b).finish();
      MessageView m = parsed(bytes);
      EXPECT_EQ(m.method, method);
      EXPECT_EQ(m.message_class, c);
    }
  }
}

TEST(StunMessage, IsStunFollowsRfc7983) {
  EXPECT_TRUE(is_stun(bytes_of(rfc5769::kRequest)));
  for (uint8_t first : {0, 1, 2, 3}) EXPECT_TRUE(is_stun(Bytes{first, 0}));
  for (uint8_t first : {4, 20, 63, 64, 128, 191, 255}) EXPECT_FALSE(is_stun(Bytes{first, 0}));
  EXPECT_FALSE(is_stun(Bytes{}));
}

TEST(StunMessage, RejectsTruncatedMessages) {
  Bytes bytes = bytes_of(rfc5769::kRequest);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto result = parse_message(std::span<const uint8_t>(bytes).first(n));
    EXPECT_FALSE(result.ok()) << "prefix of " << n << " bytes parsed";
  }
  EXPECT_NE(parse_error(Bytes(10, 0)).find("shorter than the header"), std::string::npos);
}

TEST(StunMessage, RejectsBadHeader) {
  Bytes bytes = bytes_of(rfc5769::kRequest);
  Bytes cookie = bytes;
  cookie[4] ^= 0x01;
  EXPECT_NE(parse_error(cookie).find("magic cookie"), std::string::npos);
  Bytes top_bits = bytes;
  top_bits[0] = 0x40;
  EXPECT_NE(parse_error(top_bits).find("first two bits"), std::string::npos);
  Bytes not_multiple = bytes;
  set_length(not_multiple, 0x57);
  EXPECT_NE(parse_error(not_multiple).find("multiple of 4"), std::string::npos);
  Bytes too_long = bytes;
  set_length(too_long, 0x5c);
  EXPECT_NE(parse_error(too_long).find("does not match"), std::string::npos);
  Bytes trailing = bytes;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  EXPECT_NE(parse_error(trailing).find("does not match"), std::string::npos);
}

TEST(StunMessage, RejectsAttributeOverrunningItsPadding) {
  // A 20-byte header, then USERNAME of length 5 (padded to 8) with only 4 value bytes.
  MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
  Bytes bytes = std::move(b).finish();
  bytes.insert(bytes.end(), {0x00, 0x06, 0x00, 0x05, 'a', 'b', 'c', 'd'});
  set_length(bytes, 8);
  EXPECT_NE(parse_error(bytes).find("runs past the end"), std::string::npos);
  // The same with the attribute header cut in half.
  Bytes half(bytes.begin(), bytes.begin() + 20);
  half.insert(half.end(), {0x00, 0x06, 0x00, 0x00});
  half.resize(22);
  set_length(half, 2);
  EXPECT_FALSE(parse_message(half).ok());
}

TEST(StunMessage, PaddingContentIsIgnored) {
  Bytes bytes = bytes_of(rfc5769::kRequest);
  bytes[73] = 0xAB;  // a padding byte of USERNAME: still parses, but the HMAC covers it
  MessageView m = parsed(bytes);
  EXPECT_EQ(*m.username, "evtj:h6vY");
  EXPECT_FALSE(verify_integrity(bytes, m, rfc5769::kPassword).ok());
}

TEST(StunMessage, RejectsInvalidAttributeValues) {
  auto with_attribute = [](uint16_t type, Bytes value) {
    MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
    b.add_attribute(type, value);
    return std::move(b).finish();
  };
  EXPECT_FALSE(parse_message(with_attribute(attribute::kPriority, {1, 2, 3})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kUseCandidate, {1})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kIceControlling, {1, 2, 3, 4})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kIceControlled, Bytes(9, 0))).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kMessageIntegrity, Bytes(19, 0))).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kFingerprint, Bytes(8, 0))).ok());
  EXPECT_FALSE(
      parse_message(with_attribute(attribute::kXorMappedAddress, {0, 3, 0, 0, 0, 0, 0, 0})).ok());
  EXPECT_FALSE(
      parse_message(with_attribute(attribute::kXorMappedAddress, {0, 2, 0, 0, 0, 0, 0, 0})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kErrorCode, {0, 0, 2, 0})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kErrorCode, {0, 0, 4, 100})).ok());
  EXPECT_FALSE(parse_message(with_attribute(attribute::kUsername, Bytes(513, 'a'))).ok());
  EXPECT_TRUE(parse_message(with_attribute(attribute::kUsername, Bytes(512, 'a'))).ok());
}

TEST(StunMessage, RecordsUnknownComprehensionRequiredAttributes) {
  MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
  b.add_attribute(0x7001, Bytes{1});
  b.add_attribute(0xC001, Bytes{1});    // comprehension-optional: ignored
  b.add_attribute(0x0014, Bytes{'r'});  // REALM: known, not needed by ICE
  Bytes bytes = std::move(b).finish();
  EXPECT_EQ(parsed(bytes).unknown_required, std::vector<uint16_t>{0x7001});
}

TEST(StunMessage, OnlyFingerprintCountsAfterIntegrity) {
  MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
  b.add_username("a:b");
  ASSERT_TRUE(b.add_message_integrity(std::string_view("pw")).ok());
  b.add_use_candidate();  // after MESSAGE-INTEGRITY: not authenticated, so ignored
  b.add_fingerprint();
  Bytes bytes = std::move(b).finish();
  MessageView m = parsed(bytes);
  EXPECT_FALSE(m.use_candidate);
  EXPECT_TRUE(verify_integrity(bytes, m, std::string_view("pw")).ok());
  EXPECT_TRUE(verify_fingerprint(bytes, m).ok());
}

TEST(StunMessage, RejectsAttributeAfterFingerprint) {
  MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
  b.add_fingerprint();
  b.add_use_candidate();
  EXPECT_NE(parse_error(std::move(b).finish()).find("after FINGERPRINT"), std::string::npos);
}

TEST(StunMessage, WrongIntegrityAndFingerprintAreDetected) {
  for (size_t i = 0; i < rfc5769::kRequest.size(); ++i) {
    Bytes bytes = bytes_of(rfc5769::kRequest);
    bytes[i] ^= 0x80;
    auto m = parse_message(bytes);
    if (!m) continue;  // the flip broke the framing: rejected earlier
    // Every byte is covered by the fingerprint; everything before the end of
    // MESSAGE-INTEGRITY except the length field (rewritten for the HMAC) by the HMAC.
    EXPECT_FALSE(verify_fingerprint(bytes, *m).ok()) << "byte " << i;
    if (i >= 100) {
      EXPECT_TRUE(verify_integrity(bytes, *m, rfc5769::kPassword).ok()) << "byte " << i;
    } else if (m->integrity_offset == 76u) {
      EXPECT_FALSE(verify_integrity(bytes, *m, rfc5769::kPassword).ok()) << "byte " << i;
    }
  }
}

TEST(StunMessage, VerifyWithoutChecksumsFails) {
  MessageBuilder b(kMethodBinding, MessageClass::request, TransactionId{});
  b.add_username("a:b");
  Bytes bytes = std::move(b).finish();
  MessageView m = parsed(bytes);
  EXPECT_FALSE(verify_integrity(bytes, m, std::string_view("pw")).ok());
  EXPECT_FALSE(verify_fingerprint(bytes, m).ok());
}

TEST(StunSocketAddress, FormatsForLogs) {
  EXPECT_EQ(kIpv4.to_string(), "192.0.2.1:32853");
  EXPECT_EQ(SocketAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 443)
                .to_string(),
            "[2001:db8::1]:443");
  EXPECT_EQ(SocketAddress::ipv6({}, 1).to_string(), "[::]:1");
  EXPECT_NE(kIpv4, SocketAddress::ipv4({192, 0, 2, 1}, 32854));
}

}  // namespace
}  // namespace vela::protocol::stun
