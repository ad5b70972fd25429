#pragma once
// Appends big/little-endian integers to a growing byte vector; patch_* fill in sizes later
// (as ISO BMFF boxes and RTMP chunks need).
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace vela::base {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

  size_t position() const { return out_.size(); }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16be(uint16_t v) { be(v, 2); }
  void u24be(uint32_t v) { be(v, 3); }
  void u32be(uint32_t v) { be(v, 4); }
  void u64be(uint64_t v) { be(v, 8); }
  void u32le(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void f64be(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    u64be(bits);
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void text(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void fill(uint8_t v, size_t n) { out_.insert(out_.end(), n, v); }
  void patch_u32be(size_t pos, uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[pos + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }

 private:
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

}  // namespace vela::base
