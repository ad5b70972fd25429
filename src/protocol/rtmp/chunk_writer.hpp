#pragma once
// ChunkWriter serializes RTMP messages into chunks of the current outgoing chunk size:
// one fmt-0 chunk (full header) followed by fmt-3 continuation chunks, repeating the
// extended timestamp in each continuation as ffmpeg, librtmp and the spec expect.
// Always sending full headers costs a few bytes per message and keeps the writer
// stateless apart from the chunk size. Pure; single owner.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/rtmp/message.hpp"

namespace vela::protocol::rtmp {

class ChunkWriter {
 public:
  // Takes effect for the next write(); the caller sends Set Chunk Size first.
  // Clamped to [1, kMaxChunkSize].
  void set_chunk_size(uint32_t size);
  uint32_t chunk_size() const { return chunk_size_; }

  // Appends the chunks of one message to out. payload must not exceed 0xFFFFFF bytes
  // (the 24-bit length field).
  void write(const MessageHeader& header, std::span<const uint8_t> payload,
             std::vector<uint8_t>& out) const;

 private:
  uint32_t chunk_size_ = kDefaultChunkSize;
};

}  // namespace vela::protocol::rtmp
