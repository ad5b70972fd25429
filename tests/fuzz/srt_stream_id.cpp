// SRT stream id parser: must never crash, and an accepted id must be self-consistent
// (a non-empty key without '/', a mode, bounded length).
#include <cstdint>
#include <string_view>

#include "protocol/srt/stream_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = vela::protocol::srt::parse_stream_id(text);
  if (!id) {
    if (id.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (size > vela::protocol::srt::kMaxStreamIdLength) __builtin_trap();
  if (id->key.empty() || id->app.empty() || id->key.find('/') != std::string::npos)
    __builtin_trap();
  // The key comes from the input; the app too, unless the id was a bare key (app "live").
  if (id->key.size() > size || (id->app.size() > size && id->app != "live")) __builtin_trap();
  return 0;
}
