#pragma once
// The digest ("complex") RTMP handshake used by Flash, librtmp (OBS) and ffmpeg: C1 and
// S1 carry an HMAC-SHA256 digest of the packet at a position derived from the packet
// itself, and S2/C2 end with a signature keyed by the peer's digest. Only the HMAC
// scheme is implemented (no RTMPE Diffie-Hellman). Pure functions; any thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace vela::protocol::rtmp {

inline constexpr size_t kHandshakeSize = 1536;
inline constexpr size_t kDigestSize = 32;

using HandshakeView = std::span<const uint8_t, kHandshakeSize>;
using HandshakeSpan = std::span<uint8_t, kHandshakeSize>;
using Digest = std::array<uint8_t, kDigestSize>;

// Publicly known keys: a text prefix plus 32 shared bytes. The prefix alone signs C1
// (Flash Player key) and S1 (Media Server key); the full key derives the S2/C2 signature.
inline constexpr size_t kFpKeyTextLength = 30;   // "Genuine Adobe Flash Player 001"
inline constexpr size_t kFmsKeyTextLength = 36;  // "Genuine Adobe Flash Media Server 001"
// clang-format off
inline constexpr std::array<uint8_t, 62> kGenuineFpKey = {
    'G', 'e', 'n', 'u', 'i', 'n', 'e', ' ', 'A', 'd', 'o', 'b', 'e', ' ', 'F', 'l',
    'a', 's', 'h', ' ', 'P', 'l', 'a', 'y', 'e', 'r', ' ', '0', '0', '1',
    0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E,
    0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36,
    0xCF, 0xEB, 0x31, 0xAE};
inline constexpr std::array<uint8_t, 68> kGenuineFmsKey = {
    'G', 'e', 'n', 'u', 'i', 'n', 'e', ' ', 'A', 'd', 'o', 'b', 'e', ' ', 'F', 'l',
    'a', 's', 'h', ' ', 'M', 'e', 'd', 'i', 'a', ' ', 'S', 'e', 'r', 'v', 'e', 'r',
    ' ', '0', '0', '1',
    0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E,
    0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36,
    0xCF, 0xEB, 0x31, 0xAE};
// clang-format on

inline std::span<const uint8_t> fp_key_text() {
  return {kGenuineFpKey.data(), kFpKeyTextLength};
}
inline std::span<const uint8_t> fms_key_text() {
  return {kGenuineFmsKey.data(), kFmsKeyTextLength};
}

// After time (4 bytes) and version (4 bytes) a C1/S1 holds two 764-byte blocks, key and
// digest, in either order. Schema 0: key block first, digest offset from bytes 772..775.
// Schema 1: digest block first, digest offset from bytes 8..11 (what librtmp and ffmpeg
// send).
enum class DigestSchema { schema0, schema1 };

// Position of the 32-byte digest inside the packet (always fully inside it).
size_t digest_offset(HandshakeView packet, DigestSchema schema);

// HMAC-SHA256 over the packet without the 32 bytes at offset.
Digest packet_digest(HandshakeView packet, size_t offset, std::span<const uint8_t> key);

bool has_valid_digest(HandshakeView packet, DigestSchema schema, std::span<const uint8_t> key);

// Writes the digest for schema into the packet (the rest must already be filled in).
void write_digest(HandshakeSpan packet, DigestSchema schema, std::span<const uint8_t> key);

// The schema whose digest in C1 validates with the Flash Player key, if any.
std::optional<DigestSchema> find_client_digest(HandshakeView c1);

// S2 (or C2) signature: HMAC(HMAC(full_key, peer_digest), packet[0, 1504)) in the last
// 32 bytes.
Digest response_signature(HandshakeView packet, const Digest& peer_digest,
                          std::span<const uint8_t> full_key);
void write_response_signature(HandshakeSpan packet, const Digest& peer_digest,
                              std::span<const uint8_t> full_key);

}  // namespace vela::protocol::rtmp
