// FLV tag body parsers. The first byte picks video or audio; the payload view must lie
// inside the input and match payload_offset.
#include "format/flv.hpp"

#include <cstdint>
#include <span>

template <class Tag>
static void check(const vela::base::Result<Tag>& tag, std::span<const uint8_t> body) {
  if (!tag) return;
  if (tag->payload_offset + tag->payload.size() != body.size()) __builtin_trap();
  if (!tag->payload.empty() && tag->payload.data() != body.data() + tag->payload_offset) {
    __builtin_trap();
  }
  volatile uint8_t sink = 0;
  for (uint8_t b : tag->payload) sink = sink ^ b;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> body(data + 1, size - 1);
  if (data[0] & 1) {
    check(vela::format::parse_flv_video(body), body);
  } else {
    check(vela::format::parse_flv_audio(body), body);
  }
  return 0;
}
