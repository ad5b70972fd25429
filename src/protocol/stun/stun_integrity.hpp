#pragma once
// The two checksums a STUN message can end with (RFC 8489 sections 14.5 and 14.7):
// MESSAGE-INTEGRITY, an HMAC-SHA1 keyed by the (short-term) password, and FINGERPRINT, a
// CRC-32 XOR 0x5354554E. Both cover the message from its first byte up to the attribute,
// with the header's length field set as if the attribute were the last one; the caller
// passes that length, so neither the parser nor the builder has to copy the message.
#include <array>
#include <cstdint>
#include <span>

#include "base/result.hpp"

namespace vela::protocol::stun {

inline constexpr size_t kIntegritySize = 20;  // HMAC-SHA1
inline constexpr uint32_t kFingerprintXor = 0x5354554E;

using IntegrityTag = std::array<uint8_t, kIntegritySize>;

// HMAC-SHA1(key, header-with-length || prefix[20..]). prefix starts at the STUN header
// and ends where MESSAGE-INTEGRITY starts; length is the value the header's length field
// must hold for the computation. Errors only if OpenSSL fails or prefix has no header.
base::Result<IntegrityTag> compute_integrity(std::span<const uint8_t> prefix, uint16_t length,
                                             std::span<const uint8_t> key);

// CRC-32 (ISO 3309 / IEEE 802.3, as zlib computes it) of bytes, XOR 0x5354554E.
uint32_t compute_fingerprint(std::span<const uint8_t> bytes);

}  // namespace vela::protocol::stun
