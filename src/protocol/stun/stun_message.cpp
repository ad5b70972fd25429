#include "protocol/stun/stun_message.hpp"

#include <openssl/crypto.h>

#include <string>

#include "base/byte_reader.hpp"
#include "protocol/stun/stun_integrity.hpp"

namespace vela::protocol::stun {
namespace {

constexpr uint8_t kFamilyIpv4 = 0x01;
constexpr uint8_t kFamilyIpv6 = 0x02;

base::Error fail(std::string_view what) {
  return base::make_error("STUN: " + std::string(what));
}

std::string hex16(uint16_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(value >> shift) & 0xF];
  return out;
}

std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Comprehension-required attributes that are understood but carry nothing ICE needs.
bool known_and_ignored(uint16_t type) {
  return type == 0x0001 /* MAPPED-ADDRESS */ || type == attribute::kUnknownAttributes ||
         type == 0x0014 /* REALM */ || type == 0x0015 /* NONCE */;
}

base::Result<SocketAddress> decode_xor_address(std::span<const uint8_t> value,
                                               const TransactionId& transaction_id) {
  base::ByteReader reader(value);
  reader.skip(1);  // reserved
  uint8_t family = reader.u8();
  uint16_t port = reader.u16be() ^ static_cast<uint16_t>(kMagicCookie >> 16);
  std::array<uint8_t, 16> mask{};
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<uint8_t>(kMagicCookie >> (24 - 8 * i));
  for (size_t i = 0; i < transaction_id.size(); ++i) mask[4 + i] = transaction_id[i];
  if (family == kFamilyIpv4 && value.size() == 8) {
    std::array<uint8_t, 4> ip;
    for (size_t i = 0; i < ip.size(); ++i) ip[i] = reader.u8() ^ mask[i];
    return SocketAddress::ipv4(ip, port);
  }
  if (family == kFamilyIpv6 && value.size() == 20) {
    std::array<uint8_t, 16> ip;
    for (size_t i = 0; i < ip.size(); ++i) ip[i] = reader.u8() ^ mask[i];
    return SocketAddress::ipv6(ip, port);
  }
  return fail("XOR-MAPPED-ADDRESS: bad family " + std::to_string(family) + " or length " +
              std::to_string(value.size()));
}

base::Result<ErrorCode> decode_error_code(std::span<const uint8_t> value) {
  if (value.size() < 4) return fail("ERROR-CODE shorter than 4 bytes");
  // RFC 8489 section 14.8: under 128 characters, at most 763 bytes when decoding.
  if (value.size() > 4 + 763) return fail("ERROR-CODE reason phrase longer than 763 bytes");
  uint8_t code_class = value[2] & 0x07;
  uint8_t number = value[3];
  if (code_class < 3 || code_class > 6 || number > 99)
    return fail("ERROR-CODE: invalid class " + std::to_string(code_class) + " / number " +
                std::to_string(number));
  return ErrorCode{static_cast<uint16_t>(code_class * 100 + number), as_text(value.subspan(4))};
}

// Decodes one attribute before MESSAGE-INTEGRITY into message (the first occurrence wins).
base::Status decode_attribute(uint16_t type, std::span<const uint8_t> value, MessageView& message) {
  auto want_size = [&](size_t size, const char* name) -> base::Status {
    if (value.size() != size)
      return fail(std::string(name) + ": length " + std::to_string(value.size()) + ", expected " +
                  std::to_string(size));
    return {};
  };
  switch (type) {
    case attribute::kUsername:
      if (value.size() > kMaxUsernameLength) return fail("USERNAME longer than 512 bytes");
      if (!message.username) message.username = as_text(value);
      return {};
    case attribute::kSoftware:
      if (!message.software) message.software = as_text(value);
      return {};
    case attribute::kPriority: {
      if (auto s = want_size(4, "PRIORITY"); !s) return s;
      base::ByteReader reader(value);
      if (!message.priority) message.priority = reader.u32be();
      return {};
    }
    case attribute::kUseCandidate:
      if (auto s = want_size(0, "USE-CANDIDATE"); !s) return s;
      message.use_candidate = true;
      return {};
    case attribute::kIceControlling:
    case attribute::kIceControlled: {
      bool controlling = type == attribute::kIceControlling;
      if (auto s = want_size(8, controlling ? "ICE-CONTROLLING" : "ICE-CONTROLLED"); !s) return s;
      base::ByteReader reader(value);
      auto& field = controlling ? message.ice_controlling : message.ice_controlled;
      if (!field) field = reader.u64be();
      return {};
    }
    case attribute::kXorMappedAddress: {
      auto address = decode_xor_address(value, message.transaction_id);
      if (!address) return address.error();
      if (!message.xor_mapped_address) message.xor_mapped_address = *address;
      return {};
    }
    case attribute::kErrorCode: {
      auto code = decode_error_code(value);
      if (!code) return code.error();
      if (!message.error) message.error = *code;
      return {};
    }
    default:
      if (type < 0x8000 && !known_and_ignored(type)) message.unknown_required.push_back(type);
      return {};
  }
}

}  // namespace

uint16_t message_type(uint16_t method, MessageClass message_class) {
  auto c = static_cast<uint16_t>(message_class);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

bool is_stun(std::span<const uint8_t> bytes) {
  return !bytes.empty() && bytes[0] <= 3;
}

base::Result<MessageView> parse_message(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize)
    return fail("message of " + std::to_string(bytes.size()) + " bytes is shorter than the header");
  base::ByteReader reader(bytes);
  uint16_t type = reader.u16be();
  uint16_t length = reader.u16be();
  uint32_t cookie = reader.u32be();
  if (type & 0xC000) return fail("first two bits of the message type are not zero");
  if (cookie != kMagicCookie) return fail("wrong magic cookie");
  if (length % 4 != 0)
    return fail("message length " + std::to_string(length) + " is not a multiple of 4");
  if (kHeaderSize + length != bytes.size())
    return fail("message length " + std::to_string(length) + " does not match the " +
                std::to_string(bytes.size() - kHeaderSize) + " bytes after the header");

  MessageView message;
  message.method =
      static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
  message.message_class = static_cast<MessageClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
  auto id = reader.bytes(message.transaction_id.size());
  for (size_t i = 0; i < id.size(); ++i) message.transaction_id[i] = id[i];

  while (!reader.empty()) {
    size_t offset = reader.position();
    uint16_t attr_type = reader.u16be();
    uint16_t attr_length = reader.u16be();
    size_t padded = (static_cast<size_t>(attr_length) + 3) & ~size_t{3};
    if (!reader.ok() || reader.remaining() < padded)
      return fail("attribute " + hex16(attr_type) + " of length " + std::to_string(attr_length) +
                  " (padded " + std::to_string(padded) + ") runs past the end of the message");
    auto value = reader.bytes(attr_length);
    reader.skip(padded - attr_length);  // padding bytes are ignored, whatever they hold

    if (message.fingerprint_offset)
      return fail("attribute " + hex16(attr_type) + " after FINGERPRINT");
    if (attr_type == attribute::kFingerprint) {
      if (attr_length != 4) return fail("FINGERPRINT of length " + std::to_string(attr_length));
      message.fingerprint_offset = offset;
      continue;
    }
    if (message.integrity_offset) continue;  // only FINGERPRINT counts after MESSAGE-INTEGRITY
    if (attr_type == attribute::kMessageIntegrity) {
      if (attr_length != kIntegritySize)
        return fail("MESSAGE-INTEGRITY of length " + std::to_string(attr_length));
      message.integrity_offset = offset;
      continue;
    }
    if (auto status = decode_attribute(attr_type, value, message); !status) return status.error();
  }
  return message;
}

base::Status verify_integrity(std::span<const uint8_t> bytes, const MessageView& message,
                              std::span<const uint8_t> key) {
  if (!message.integrity_offset) return fail("no MESSAGE-INTEGRITY");
  size_t offset = *message.integrity_offset;
  if (offset + 4 + kIntegritySize > bytes.size()) return fail("MESSAGE-INTEGRITY past the end");
  // The length field counts up to the end of MESSAGE-INTEGRITY, not any FINGERPRINT after.
  auto length = static_cast<uint16_t>(offset + 4 + kIntegritySize - kHeaderSize);
  auto expected = compute_integrity(bytes.first(offset), length, key);
  if (!expected) return expected.error();
  if (CRYPTO_memcmp(expected->data(), bytes.data() + offset + 4, kIntegritySize) != 0)
    return fail("MESSAGE-INTEGRITY does not match");
  return {};
}

base::Status verify_integrity(std::span<const uint8_t> bytes, const MessageView& message,
                              std::string_view password) {
  return verify_integrity(
      bytes, message,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
}

base::Status verify_fingerprint(std::span<const uint8_t> bytes, const MessageView& message) {
  if (!message.fingerprint_offset) return fail("no FINGERPRINT");
  size_t offset = *message.fingerprint_offset;
  if (offset + 8 > bytes.size()) return fail("FINGERPRINT past the end");
  base::ByteReader reader(bytes.subspan(offset + 4, 4));
  if (reader.u32be() != compute_fingerprint(bytes.first(offset)))
    return fail("FINGERPRINT does not match");
  return {};
}

}  // namespace vela::protocol::stun
