#include "protocol/stun/stun_builder.hpp"

#include <algorithm>

#include "base/byte_writer.hpp"
#include "protocol/stun/stun_integrity.hpp"

namespace vela::protocol::stun {

MessageBuilder::MessageBuilder(uint16_t method, MessageClass message_class,
                               const TransactionId& transaction_id) {
  bytes_.reserve(128);
  base::ByteWriter writer(bytes_);
  writer.u16be(message_type(method, message_class));
  writer.u16be(0);
  writer.u32be(kMagicCookie);
  writer.bytes(transaction_id);
}

void MessageBuilder::set_length(size_t length) {
  bytes_[2] = static_cast<uint8_t>(length >> 8);
  bytes_[3] = static_cast<uint8_t>(length);
}

void MessageBuilder::begin(uint16_t type, size_t length) {
  base::ByteWriter writer(bytes_);
  writer.u16be(type);
  writer.u16be(static_cast<uint16_t>(length));
  size_t padded = (length + 3) & ~size_t{3};
  set_length(bytes_.size() + padded - kHeaderSize);
}

void MessageBuilder::pad() {
  while (bytes_.size() % 4 != 0) bytes_.push_back(padding_);
}

void MessageBuilder::add_attribute(uint16_t type, std::span<const uint8_t> value) {
  value = value.first(std::min<size_t>(value.size(), 0xFFFF));
  begin(type, value.size());
  bytes_.insert(bytes_.end(), value.begin(), value.end());
  pad();
}

void MessageBuilder::add_text(uint16_t type, std::string_view text) {
  add_attribute(type, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void MessageBuilder::add_priority(uint32_t priority) {
  begin(attribute::kPriority, 4);
  base::ByteWriter(bytes_).u32be(priority);
}

void MessageBuilder::add_use_candidate() {
  begin(attribute::kUseCandidate, 0);
}

void MessageBuilder::add_ice_controlling(uint64_t tie_breaker) {
  begin(attribute::kIceControlling, 8);
  base::ByteWriter(bytes_).u64be(tie_breaker);
}

void MessageBuilder::add_ice_controlled(uint64_t tie_breaker) {
  begin(attribute::kIceControlled, 8);
  base::ByteWriter(bytes_).u64be(tie_breaker);
}

void MessageBuilder::add_xor_mapped_address(const SocketAddress& address) {
  bool v6 = address.family == SocketAddress::Family::ipv6;
  begin(attribute::kXorMappedAddress, v6 ? 20 : 8);
  base::ByteWriter writer(bytes_);
  writer.u8(0);
  writer.u8(v6 ? 0x02 : 0x01);
  writer.u16be(address.port ^ static_cast<uint16_t>(kMagicCookie >> 16));
  // The address is XORed with the cookie and then the transaction id (header bytes 4..19).
  for (size_t i = 0; i < address.ip_size(); ++i) writer.u8(address.ip[i] ^ bytes_[4 + i]);
}

void MessageBuilder::add_error_code(uint16_t code, std::string_view reason) {
  begin(attribute::kErrorCode, 4 + reason.size());
  base::ByteWriter writer(bytes_);
  writer.u16be(0);
  writer.u8(static_cast<uint8_t>(code / 100));
  writer.u8(static_cast<uint8_t>(code % 100));
  writer.text(reason);
  pad();
}

void MessageBuilder::add_unknown_attributes(std::span<const uint16_t> types) {
  begin(attribute::kUnknownAttributes, 2 * types.size());
  base::ByteWriter writer(bytes_);
  for (uint16_t type : types) writer.u16be(type);
  pad();
}

base::Status MessageBuilder::add_message_integrity(std::span<const uint8_t> key) {
  size_t offset = bytes_.size();
  auto length = static_cast<uint16_t>(offset + 4 + kIntegritySize - kHeaderSize);
  auto tag = compute_integrity(bytes_, length, key);
  if (!tag) return tag.error();
  begin(attribute::kMessageIntegrity, kIntegritySize);
  base::ByteWriter(bytes_).bytes(*tag);
  return {};
}

base::Status MessageBuilder::add_message_integrity(std::string_view password) {
  return add_message_integrity(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
}

void MessageBuilder::add_fingerprint() {
  begin(attribute::kFingerprint, 4);
  uint32_t crc = compute_fingerprint(std::span<const uint8_t>(bytes_).first(bytes_.size() - 4));
  base::ByteWriter(bytes_).u32be(crc);
}

}  // namespace vela::protocol::stun
