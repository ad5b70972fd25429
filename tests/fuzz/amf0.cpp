// AMF0 decoder: must never crash, and what it decodes must re-encode to a stable form.
#include "format/amf0.hpp"

#include <cstdint>
#include <vector>

using vela::format::Amf0Value;

static std::vector<uint8_t> encode(const std::vector<Amf0Value>& values) {
  std::vector<uint8_t> out;
  vela::base::ByteWriter w(out);
  vela::format::amf0_encode_all(values, w);
  return out;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto values = vela::format::amf0_decode_all({data, size});
  if (!values) return 0;
  // Compared as bytes, since NaN never equals itself.
  std::vector<uint8_t> once = encode(values.value());
  auto again = vela::format::amf0_decode_all(once);
  if (!again || encode(again.value()) != once) __builtin_trap();
  return 0;
}
