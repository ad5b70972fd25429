#pragma once
// Client side of the simple RTMP handshake (RTMP 1.0 section 5.2): C0+C1 out, S0+S1 in,
// C2 (an echo of S1) out, S2 in. The client never asks for the digest handshake (its C1
// version field is zero), which every common server (nginx-rtmp, SRS, ours, YouTube,
// Twitch) accepts. S2 is consumed without validation, as common clients do.
//
// Pure and single-owner. C1's random bytes come from OpenSSL's RAND_bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::rtmp {

class ClientHandshake {
 public:
  // Appends C0+C1 to out; time_ms fills the C1 time field. Call once, first.
  base::Status start(uint32_t time_ms, std::vector<uint8_t>& out);

  // Consumes handshake bytes from the front of data and returns how many it took; the
  // rest belongs to the chunk stream (servers often send S2 and the first chunk
  // together). Appends C2 to out once S1 is complete. Errors on an S0 version other
  // than 3 (e.g. an RTMPE or non-RTMP server).
  base::Result<size_t> feed(std::span<const uint8_t> data, std::vector<uint8_t>& out);

  bool done() const { return state_ == State::done; }

 private:
  enum class State { idle, s0s1, s2, done };

  State state_ = State::idle;
  std::vector<uint8_t> s0s1_;
  size_t s2_received_ = 0;
};

}  // namespace vela::protocol::rtmp
