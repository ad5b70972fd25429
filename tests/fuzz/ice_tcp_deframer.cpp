// ICE-TCP deframer: the first input byte picks a chunk size; the rest is fed in chunks of
// that size. The packets (and the error, if any) must not depend on how the stream was
// split, and re-framing the packets must give back the consumed bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/stun/ice_tcp_framing.hpp"

using namespace vela::protocol::stun;

namespace {

struct Run {
  std::vector<std::vector<uint8_t>> packets;
  bool failed = false;
};

Run deframe(std::span<const uint8_t> stream, size_t chunk) {
  IceTcpDeframer deframer(1200);
  Run run;
  for (size_t at = 0; at < stream.size() && !run.failed; at += chunk) {
    size_t n = stream.size() - at < chunk ? stream.size() - at : chunk;
    if (!deframer.feed(stream.subspan(at, n))) __builtin_trap();
    for (;;) {
      auto packet = deframer.next();
      if (!packet) {
        run.failed = true;
        break;
      }
      if (!*packet) break;
      if ((*packet)->empty() || (*packet)->size() > 1200) __builtin_trap();
      run.packets.emplace_back((*packet)->begin(), (*packet)->end());
    }
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = data[0] % 64 + 1;
  std::span<const uint8_t> stream(data + 1, size - 1);
  Run whole = deframe(stream, stream.size() + 1);
  Run split = deframe(stream, chunk);
  if (whole.packets != split.packets || whole.failed != split.failed) __builtin_trap();
  std::vector<uint8_t> reframed;
  for (const auto& packet : whole.packets)
    if (!append_framed(packet, reframed)) __builtin_trap();
  if (reframed.size() > stream.size()) __builtin_trap();
  for (size_t i = 0; i < reframed.size(); ++i)
    if (reframed[i] != stream[i]) __builtin_trap();
  return 0;
}
