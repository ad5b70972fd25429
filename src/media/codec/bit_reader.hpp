#pragma once
// MSB-first bit reader for codec headers (H.264 SPS, AAC AudioSpecificConfig). Like
// base::ByteReader it fails sticky: a read past the end returns zero and clears ok(), so a
// parser reads a whole structure and checks once.
#include <cstdint>
#include <span>

namespace vela::media::codec {

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t bits_left() const { return ok_ ? data_.size() * 8 - pos_ : 0; }

  // Reads n <= 32 bits as an unsigned value.
  uint32_t bits(int n) {
    if (n < 0 || n > 32 || bits_left() < static_cast<size_t>(n)) {
      ok_ = false;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      v = (v << 1) | ((data_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
    }
    return v;
  }
  bool flag() { return bits(1) != 0; }
  void skip(size_t n) {
    if (bits_left() < n) {
      ok_ = false;
      return;
    }
    pos_ += n;
  }

  // Unsigned exp-Golomb, ue(v). Codes longer than 32 bits are malformed for every syntax
  // element we read, so they fail instead of overflowing.
  uint32_t ue() {
    int leading_zeros = 0;
    while (ok_ && bits(1) == 0) {
      if (++leading_zeros > 31) {
        ok_ = false;
        return 0;
      }
    }
    if (!ok_) return 0;
    return static_cast<uint32_t>((uint64_t{1} << leading_zeros) - 1 + bits(leading_zeros));
  }
  // Signed exp-Golomb, se(v): 1, -1, 2, -2, ...
  int64_t se() {
    uint32_t k = ue();
    return (k & 1) ? static_cast<int64_t>(k / 2) + 1 : -static_cast<int64_t>(k / 2);
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;  // in bits
  bool ok_ = true;
};

}  // namespace vela::media::codec
