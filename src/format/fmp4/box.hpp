#pragma once
// Scoped ISO BMFF box: the constructor writes a header with a placeholder size, the
// destructor patches the real size once the box's content has been written. Nesting
// scopes mirrors nesting boxes.
#include <cstdint>
#include <string_view>

#include "base/byte_writer.hpp"

namespace vela::format::fmp4 {

class Box {
 public:
  // A plain box; `type` is a four-character code.
  Box(base::ByteWriter& out, std::string_view type) : out_(out), start_(out.position()) {
    out_.u32be(0);
    out_.text(type.substr(0, 4));
  }
  // A FullBox: version and 24-bit flags follow the header.
  Box(base::ByteWriter& out, std::string_view type, uint8_t version, uint32_t flags)
      : Box(out, type) {
    out_.u8(version);
    out_.u24be(flags);
  }
  ~Box() { out_.patch_u32be(start_, static_cast<uint32_t>(out_.position() - start_)); }

  Box(const Box&) = delete;
  Box& operator=(const Box&) = delete;

 private:
  base::ByteWriter& out_;
  size_t start_;
};

}  // namespace vela::format::fmp4
