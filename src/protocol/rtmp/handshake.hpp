#pragma once
// Server side of the RTMP handshake (RTMP 1.0 section 5.2): C0+C1 in, S0+S1+S2 out, then
// C2 in. A C1 that carries a valid Flash Player digest (librtmp/OBS, ffmpeg, Flash) gets
// the digest handshake: S1 signed with the Media Server key and S2 signed from the
// client's digest, which librtmp verifies. Any other C1 (GStreamer, simple clients) gets
// the simple handshake with S2 echoing C1. C2 is consumed without validation, as all
// common servers do.
//
// Pure and single-owner. Randomness for S1/S2 comes from OpenSSL's RAND_bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::rtmp {

class ServerHandshake {
 public:
  // Consumes handshake bytes from the front of data and returns how many it took; the
  // rest belongs to the chunk stream (clients often send C2 and the first chunk
  // together). Appends S0+S1+S2 to out once C0 and C1 are complete. time_ms fills the
  // S1 time field. Errors on an unsupported C0 version (e.g. RTMPE).
  base::Result<size_t> feed(std::span<const uint8_t> data, uint32_t time_ms,
                            std::vector<uint8_t>& out);

  bool done() const { return state_ == State::done; }
  // Whether the client asked for (and got) the digest handshake.
  bool used_digest() const { return used_digest_; }

 private:
  enum class State { c0c1, c2, done };
  base::Status respond(uint32_t time_ms, std::vector<uint8_t>& out);

  State state_ = State::c0c1;
  std::vector<uint8_t> c0c1_;
  size_t c2_received_ = 0;
  bool used_digest_ = false;
};

}  // namespace vela::protocol::rtmp
