#include "protocol/rtmp/client_session_handshake.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <string>

#include "protocol/rtmp/handshake_digest.hpp"

namespace vela::protocol::rtmp {

namespace {

constexpr uint8_t kRtmpVersion = 3;

}  // namespace

base::Status ClientHandshake::start(uint32_t time_ms, std::vector<uint8_t>& out) {
  if (state_ != State::idle) return base::make_error("RTMP handshake: started twice");
  std::array<uint8_t, kHandshakeSize> c1;
  if (RAND_bytes(c1.data(), static_cast<int>(c1.size())) != 1) {
    return base::make_error("RTMP handshake: random generator failed");
  }
  for (size_t i = 0; i < 4; ++i) c1[i] = static_cast<uint8_t>(time_ms >> (24 - 8 * i));
  // A zero version asks for the simple handshake.
  std::fill(c1.begin() + 4, c1.begin() + 8, 0);
  out.push_back(kRtmpVersion);
  out.insert(out.end(), c1.begin(), c1.end());
  state_ = State::s0s1;
  return {};
}

base::Result<size_t> ClientHandshake::feed(std::span<const uint8_t> data,
                                           std::vector<uint8_t>& out) {
  if (state_ == State::idle) return base::make_error("RTMP handshake: bytes before C0+C1 was sent");
  size_t used = 0;
  if (state_ == State::s0s1) {
    size_t take = std::min(data.size(), 1 + kHandshakeSize - s0s1_.size());
    s0s1_.insert(s0s1_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    used += take;
    if (!s0s1_.empty() && s0s1_[0] != kRtmpVersion) {
      return base::make_error("RTMP handshake: server answered with version " +
                              std::to_string(s0s1_[0]) + " in S0 (not an RTMP server?)");
    }
    if (s0s1_.size() < 1 + kHandshakeSize) return used;
    // C2 echoes S1, the time fields included.
    out.insert(out.end(), s0s1_.begin() + 1, s0s1_.end());
    s0s1_ = {};
    state_ = State::s2;
  }
  if (state_ == State::s2) {
    size_t take = std::min(data.size() - used, kHandshakeSize - s2_received_);
    s2_received_ += take;
    used += take;
    if (s2_received_ == kHandshakeSize) state_ = State::done;
  }
  return used;
}

}  // namespace vela::protocol::rtmp
