#include "protocol/rtmp/handshake.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <string>

#include "protocol/rtmp/handshake_digest.hpp"

namespace vela::protocol::rtmp {

namespace {

constexpr uint8_t kRtmpVersion = 3;
// Advertised in S1 for the digest handshake; ffmpeg verifies S2 only when the first
// version byte is at least 3, and librtmp treats a zero version as "no digest".
constexpr std::array<uint8_t, 4> kServerVersion = {4, 5, 0, 1};

}  // namespace

base::Result<size_t> ServerHandshake::feed(std::span<const uint8_t> data, uint32_t time_ms,
                                           std::vector<uint8_t>& out) {
  size_t used = 0;
  if (state_ == State::c0c1) {
    size_t take = std::min(data.size(), 1 + kHandshakeSize - c0c1_.size());
    c0c1_.insert(c0c1_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    used += take;
    if (!c0c1_.empty() && c0c1_[0] != kRtmpVersion) {
      return base::make_error("RTMP handshake: unsupported version " + std::to_string(c0c1_[0]) +
                              " in C0");
    }
    if (c0c1_.size() < 1 + kHandshakeSize) return used;
    if (auto status = respond(time_ms, out); !status) return status.error();
    c0c1_ = {};
    state_ = State::c2;
  }
  if (state_ == State::c2) {
    size_t take = std::min(data.size() - used, kHandshakeSize - c2_received_);
    c2_received_ += take;
    used += take;
    if (c2_received_ == kHandshakeSize) state_ = State::done;
  }
  return used;
}

base::Status ServerHandshake::respond(uint32_t time_ms, std::vector<uint8_t>& out) {
  HandshakeView c1(c0c1_.data() + 1, kHandshakeSize);
  // A zero version field means a simple-handshake client; skip the HMAC work.
  bool has_version = c1[4] != 0 || c1[5] != 0 || c1[6] != 0 || c1[7] != 0;
  std::optional<DigestSchema> schema;
  if (has_version) schema = find_client_digest(c1);
  used_digest_ = schema.has_value();

  std::array<uint8_t, kHandshakeSize> s1;
  std::array<uint8_t, kHandshakeSize> s2;
  if (RAND_bytes(s1.data(), static_cast<int>(s1.size())) != 1 ||
      RAND_bytes(s2.data(), static_cast<int>(s2.size())) != 1) {
    return base::make_error("RTMP handshake: random generator failed");
  }
  for (size_t i = 0; i < 4; ++i) s1[i] = static_cast<uint8_t>(time_ms >> (24 - 8 * i));
  for (size_t i = 0; i < 4; ++i) s1[4 + i] = schema ? kServerVersion[i] : 0;

  if (schema) {
    write_digest(s1, *schema, fms_key_text());
    Digest client_digest;
    auto at = c1.begin() + static_cast<std::ptrdiff_t>(digest_offset(c1, *schema));
    std::copy(at, at + kDigestSize, client_digest.begin());
    write_response_signature(s2, client_digest, kGenuineFmsKey);
  } else {
    std::copy(c1.begin(), c1.end(), s2.begin());
  }

  out.push_back(kRtmpVersion);
  out.insert(out.end(), s1.begin(), s1.end());
  out.insert(out.end(), s2.begin(), s2.end());
  return {};
}

}  // namespace vela::protocol::rtmp
