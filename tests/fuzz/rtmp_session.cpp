// ServerSession after a fixed simple handshake: the input is the client's chunk stream,
// fed in pieces; publishes are accepted or rejected depending on the input.
#include <algorithm>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "protocol/rtmp/handshake_digest.hpp"
#include "protocol/rtmp/server_session.hpp"

using namespace vela::protocol::rtmp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ServerSessionConfig config;
  config.limits.max_message_size = 256 * 1024;
  config.limits.max_chunk_streams = 16;
  config.limits.max_pending_bytes = 512 * 1024;
  ServerSession session(config);
  std::vector<uint8_t> handshake(1 + 2 * kHandshakeSize, 0);
  handshake[0] = 3;
  if (!session.feed(handshake, 0) || !session.handshake_done()) __builtin_trap();
  session.take_output();

  size_t piece = size > 0 ? data[0] % 64 + 1 : 1;
  bool accept = size > 0 && (data[0] & 0x80) == 0;
  for (size_t at = 1; at < size; at += piece) {
    std::span<const uint8_t> chunk(data + at, std::min(piece, size - at));
    if (!session.feed(chunk, static_cast<int64_t>(at))) break;
    for (auto& event : session.take_events()) {
      if (std::holds_alternative<PublishRequested>(event)) {
        if (accept) {
          session.accept_publish();
        } else {
          session.reject_publish("NetStream.Publish.Denied", "fuzz");
        }
      }
    }
    session.take_output();
  }
  return 0;
}
