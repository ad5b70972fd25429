#include "protocol/rtmp/handshake_digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace vela::protocol::rtmp {

namespace {

// Each 764-byte block starts (digest block) or ends (key block) with 4 offset bytes; the
// digest lies within the 728 bytes that leaves after the 32-byte digest itself.
constexpr size_t kOffsetModulus = 728;

Digest hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Digest out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &length);
  return out;
}

}  // namespace

size_t digest_offset(HandshakeView packet, DigestSchema schema) {
  size_t base = schema == DigestSchema::schema0 ? 772 : 8;
  size_t sum = size_t{packet[base]} + packet[base + 1] + packet[base + 2] + packet[base + 3];
  return base + 4 + sum % kOffsetModulus;
}

Digest packet_digest(HandshakeView packet, size_t offset, std::span<const uint8_t> key) {
  std::array<uint8_t, kHandshakeSize - kDigestSize> joined;
  auto end = std::copy(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(offset),
                       joined.begin());
  std::copy(packet.begin() + static_cast<std::ptrdiff_t>(offset + kDigestSize), packet.end(), end);
  return hmac_sha256(key, joined);
}

bool has_valid_digest(HandshakeView packet, DigestSchema schema, std::span<const uint8_t> key) {
  size_t offset = digest_offset(packet, schema);
  Digest expected = packet_digest(packet, offset, key);
  return std::equal(expected.begin(), expected.end(),
                    packet.begin() + static_cast<std::ptrdiff_t>(offset));
}

void write_digest(HandshakeSpan packet, DigestSchema schema, std::span<const uint8_t> key) {
  size_t offset = digest_offset(packet, schema);
  Digest digest = packet_digest(packet, offset, key);
  std::copy(digest.begin(), digest.end(), packet.begin() + static_cast<std::ptrdiff_t>(offset));
}

std::optional<DigestSchema> find_client_digest(HandshakeView c1) {
  for (DigestSchema schema : {DigestSchema::schema1, DigestSchema::schema0}) {
    if (has_valid_digest(c1, schema, fp_key_text())) return schema;
  }
  return std::nullopt;
}

Digest response_signature(HandshakeView packet, const Digest& peer_digest,
                          std::span<const uint8_t> full_key) {
  Digest key = hmac_sha256(full_key, peer_digest);
  return hmac_sha256(key, packet.first<kHandshakeSize - kDigestSize>());
}

void write_response_signature(HandshakeSpan packet, const Digest& peer_digest,
                              std::span<const uint8_t> full_key) {
  Digest signature = response_signature(packet, peer_digest, full_key);
  std::copy(signature.begin(), signature.end(), packet.end() - kDigestSize);
}

}  // namespace vela::protocol::rtmp
