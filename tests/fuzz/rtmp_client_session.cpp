// ClientSession after a fixed simple handshake: the input is the server's chunk stream,
// fed in pieces (the first byte picks the piece size). Once publishing, the client sends
// metadata and media after every piece, as a push session would.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/rtmp/client_session.hpp"
#include "protocol/rtmp/handshake_digest.hpp"

using namespace vela::protocol::rtmp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ClientSessionConfig config;
  config.app = "live";
  config.tc_url = "rtmp://127.0.0.1/live";
  config.stream_key = "key";
  ClientSession session(config);
  if (!session.start(0)) __builtin_trap();
  std::vector<uint8_t> handshake(1 + 2 * kHandshakeSize, 0);
  handshake[0] = 3;
  if (!session.feed(handshake)) __builtin_trap();
  session.take_output();

  const std::vector<uint8_t> video = {0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65};
  size_t piece = size > 0 ? data[0] % 64 + 1 : 1;
  int64_t timestamp = 0;
  for (size_t at = 1; at < size; at += piece) {
    std::span<const uint8_t> chunk(data + at, std::min(piece, size - at));
    if (!session.feed(chunk)) break;
    session.take_events();
    if (session.publishing()) {
      session.send_metadata(vela::format::Amf0Value::object());
      session.send_video(timestamp += 40, video);
    }
    session.take_output();
  }
  session.unpublish();
  session.take_output();
  return 0;
}
