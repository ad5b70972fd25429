#pragma once
// Builds one STUN message attribute by attribute. Every add_* keeps the header's length
// field current, so add_message_integrity() and add_fingerprint() (which must come last,
// in that order) sign exactly what precedes them.
//
//   MessageBuilder b(kMethodBinding, MessageClass::success, request.transaction_id);
//   b.add_xor_mapped_address(from);
//   b.add_message_integrity(local_password);
//   b.add_fingerprint();
//   std::vector<uint8_t> bytes = std::move(b).finish();
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "protocol/stun/socket_address.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::protocol::stun {

class MessageBuilder {
 public:
  MessageBuilder(uint16_t method, MessageClass message_class, const TransactionId& transaction_id);

  // Padding bytes are ignored by receivers; zero by default. RFC 5769's vectors pad with
  // spaces, so a test reproducing them byte for byte sets 0x20.
  void set_padding_byte(uint8_t value) { padding_ = value; }

  // Any attribute; values longer than 65535 bytes are truncated to that length.
  void add_attribute(uint16_t type, std::span<const uint8_t> value);
  void add_text(uint16_t type, std::string_view text);
  void add_username(std::string_view username) { add_text(attribute::kUsername, username); }
  void add_software(std::string_view software) { add_text(attribute::kSoftware, software); }
  void add_priority(uint32_t priority);
  void add_use_candidate();
  void add_ice_controlling(uint64_t tie_breaker);
  void add_ice_controlled(uint64_t tie_breaker);
  void add_xor_mapped_address(const SocketAddress& address);
  // code 300..699; the reason phrase is UTF-8 (RFC 8489 suggests one per code).
  void add_error_code(uint16_t code, std::string_view reason);
  void add_unknown_attributes(std::span<const uint16_t> types);

  // HMAC-SHA1 keyed by key over everything so far. Errors only if OpenSSL fails.
  base::Status add_message_integrity(std::span<const uint8_t> key);
  base::Status add_message_integrity(std::string_view password);
  void add_fingerprint();

  std::vector<uint8_t> finish() && { return std::move(bytes_); }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  // Writes an attribute header for length bytes and sets the message length to include
  // the padded value; the caller then appends the value and pad().
  void begin(uint16_t type, size_t length);
  void pad();
  void set_length(size_t length);

  std::vector<uint8_t> bytes_;
  uint8_t padding_ = 0;
};

}  // namespace vela::protocol::stun
