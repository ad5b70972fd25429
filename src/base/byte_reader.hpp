#pragma once
// Bounds-checked big/little-endian reader over a byte view. A read past the end returns
// zero and makes the reader fail (sticky), so a parser reads a whole structure and then
// checks ok() once instead of testing every field.
#include <cstddef>
#include <cstdint>
#include <span>

namespace vela::base {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool empty() const { return remaining() == 0; }

  uint8_t u8() { return static_cast<uint8_t>(be(1)); }
  uint16_t u16be() { return static_cast<uint16_t>(be(2)); }
  uint32_t u24be() { return static_cast<uint32_t>(be(3)); }
  uint32_t u32be() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64be() { return be(8); }
  uint32_t u32le() {
    if (!need(4)) return 0;
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  double f64be() {
    uint64_t bits = u64be();
    double d;
    static_assert(sizeof d == sizeof bits);
    __builtin_memcpy(&d, &bits, sizeof d);
    return d;
  }
  // A view of the next n bytes (empty and failed if fewer remain).
  std::span<const uint8_t> bytes(size_t n) {
    if (!need(n)) return {};
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::span<const uint8_t> rest() { return bytes(remaining()); }
  void skip(size_t n) { (void)bytes(n); }
  void fail() { ok_ = false; }

 private:
  bool need(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  uint64_t be(size_t n) {
    if (!need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += n;
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace vela::base
