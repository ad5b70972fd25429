#pragma once
// Buffer: an immutable, reference-counted byte range. Copying a Buffer or slicing it
// shares the same storage, so media payload travels from ingest to the socket write
// without being copied again. Safe to read from any thread once built.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace vela::base {

class Buffer {
 public:
  Buffer() = default;

  static Buffer adopt(std::vector<uint8_t>&& bytes) {
    auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    const uint8_t* data = storage->data();
    size_t n = storage->size();
    return Buffer(std::move(storage), data, n);
  }
  static Buffer copy_of(std::span<const uint8_t> bytes) {
    return adopt(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
  static Buffer copy_of(std::string_view text) {
    return adopt(std::vector<uint8_t>(text.begin(), text.end()));
  }
  // Bytes with static storage duration (embedded files): referenced, never copied or freed.
  static Buffer wrap_static(std::span<const uint8_t> bytes) {
    return Buffer(nullptr, bytes.data(), bytes.size());
  }

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  std::string_view text() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // A sub-range sharing this buffer's storage; clamped to the buffer's bounds.
  Buffer slice(size_t offset, size_t length) const {
    if (offset > size_) offset = size_;
    if (length > size_ - offset) length = size_ - offset;
    return Buffer(owner_, data_ + offset, length);
  }

 private:
  Buffer(std::shared_ptr<const void> owner, const uint8_t* data, size_t size)
      : owner_(std::move(owner)), data_(data), size_(size) {}

  std::shared_ptr<const void> owner_;  // keeps the bytes alive; null for static data
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace vela::base
