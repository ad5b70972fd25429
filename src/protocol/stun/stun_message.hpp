#pragma once
// STUN messages (RFC 8489) as ICE uses them (RFC 8445): the 20-byte header (type, magic
// cookie, transaction id) and the attributes a binding check carries. parse_message()
// validates the framing and decodes the known attributes into a MessageView whose string
// and byte fields point into the parsed bytes (keep them alive while the view is used).
// The checksums are verified separately, because only the caller knows the password:
// verify_integrity() and verify_fingerprint() take the same bytes again.
//
// Pure: no sockets, no clocks. Never throws; malformed input is an error value.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "protocol/stun/socket_address.hpp"

namespace vela::protocol::stun {

inline constexpr size_t kHeaderSize = 20;
inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr uint16_t kMethodBinding = 0x001;
inline constexpr size_t kMaxUsernameLength = 512;  // RFC 8489 section 14.3: < 513 bytes

// Attribute types used by ICE (RFC 8489 section 18.3, RFC 8445 section 16.1).
namespace attribute {
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;
}  // namespace attribute

// Error codes an ICE-lite agent answers with (RFC 8489 section 14.8, RFC 8445 7.3.1.1).
namespace error_code {
inline constexpr uint16_t kBadRequest = 400;
inline constexpr uint16_t kUnauthorized = 401;
inline constexpr uint16_t kUnknownAttribute = 420;
inline constexpr uint16_t kRoleConflict = 487;
}  // namespace error_code

enum class MessageClass : uint8_t { request = 0, indication = 1, success = 2, error = 3 };

using TransactionId = std::array<uint8_t, 12>;

// The 16-bit message type interleaves the class bits (C1 at bit 8, C0 at bit 4) with the
// 12 method bits (RFC 8489 section 5).
uint16_t message_type(uint16_t method, MessageClass message_class);

struct ErrorCode {
  uint16_t code = 0;        // 300..699
  std::string_view reason;  // UTF-8 reason phrase
};

struct MessageView {
  uint16_t method = 0;
  MessageClass message_class = MessageClass::request;
  TransactionId transaction_id{};

  std::optional<std::string_view> username;
  std::optional<SocketAddress> xor_mapped_address;
  std::optional<uint32_t> priority;
  bool use_candidate = false;
  std::optional<uint64_t> ice_controlling;  // tie-breaker
  std::optional<uint64_t> ice_controlled;   // tie-breaker
  std::optional<ErrorCode> error;
  std::optional<std::string_view> software;
  // Comprehension-required types (0x0000-0x7FFF) this parser does not know, in order;
  // a server answers a request that has any with 420 and UNKNOWN-ATTRIBUTES.
  std::vector<uint16_t> unknown_required;

  // Where MESSAGE-INTEGRITY and FINGERPRINT start (the attribute header's offset).
  std::optional<size_t> integrity_offset;
  std::optional<size_t> fingerprint_offset;
};

// RFC 7983 demultiplexing: a packet on a WebRTC port whose first byte is 0..3 is STUN.
bool is_stun(std::span<const uint8_t> bytes);

// Parses one whole STUN message (a UDP datagram, or one ICE-TCP frame). Rejects: fewer
// than 20 bytes, a first byte with either top bit set, a wrong magic cookie, a length
// that is not a multiple of 4 or not the rest of the bytes, an attribute that runs past
// the end (with its padding), a known attribute with an invalid value, a
// MESSAGE-INTEGRITY or FINGERPRINT of the wrong size, and anything after FINGERPRINT.
// Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489
// section 14.5); of repeated attributes the first counts.
base::Result<MessageView> parse_message(std::span<const uint8_t> bytes);

// Checks MESSAGE-INTEGRITY of bytes (as parsed into message) with key (for ICE, the
// short-term password of the agent that receives the request). Errors when the message
// has no MESSAGE-INTEGRITY or the HMAC differs.
base::Status verify_integrity(std::span<const uint8_t> bytes, const MessageView& message,
                              std::span<const uint8_t> key);
base::Status verify_integrity(std::span<const uint8_t> bytes, const MessageView& message,
                              std::string_view password);

// Checks FINGERPRINT of bytes (as parsed into message). Errors when absent or wrong.
base::Status verify_fingerprint(std::span<const uint8_t> bytes, const MessageView& message);

}  // namespace vela::protocol::stun
