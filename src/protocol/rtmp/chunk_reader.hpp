#pragma once
// ChunkReader reassembles RTMP messages from the chunk stream (RTMP 1.0 section 5.3).
// Feed it byte slices split anywhere (one byte at a time works) and pull complete
// messages with read(). It applies Set Chunk Size and Abort itself, at the exact message
// boundary where they take effect, and still returns them so the caller can log them.
//
// Pure and single-owner: no I/O, no clock, no locking; call from one thread at a time.
// Memory is bounded by ChunkReaderLimits; exceeding a limit is an error.
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "protocol/rtmp/message.hpp"

namespace vela::protocol::rtmp {

struct ChunkReaderLimits {
  uint32_t max_message_size = 0xFFFFFF;    // the wire maximum (24-bit length)
  uint32_t max_chunk_streams = 64;         // distinct chunk stream ids per connection
  uint64_t max_pending_bytes = 32u << 20;  // payload of all partly received messages
};

class ChunkReader {
 public:
  explicit ChunkReader(ChunkReaderLimits limits = {}) : limits_(limits) {}

  // Appends bytes to parse. Cheap; parsing happens in read().
  void feed(std::span<const uint8_t> bytes);

  // The next complete message, std::nullopt when more bytes are needed, or an error on a
  // protocol violation. After an error the reader stays failed.
  base::Result<std::optional<Message>> read();

  uint32_t chunk_size() const { return chunk_size_; }

 private:
  // Per chunk stream: the last header (for fmt 1-3 compression) and the message being
  // assembled.
  struct Stream {
    MessageHeader header;
    uint32_t length = 0;
    uint32_t ts_field = 0;         // last timestamp or delta field (extended value if used)
    bool extended = false;         // last fmt 0-2 header used an extended timestamp
    bool started = false;          // a header has been seen on this stream
    std::vector<uint8_t> payload;  // the message in progress
    bool in_progress = false;
  };

  enum class Parse { need_more, ok, error };
  Parse parse_chunk_header(base::Error& error);
  base::Result<std::optional<Message>> complete(Stream& stream);
  base::Status apply_control(const Message& message);
  void compact();

  ChunkReaderLimits limits_;
  uint32_t chunk_size_ = kDefaultChunkSize;
  std::vector<uint8_t> input_;
  size_t pos_ = 0;
  std::unordered_map<uint32_t, Stream> streams_;
  Stream* current_ = nullptr;  // stream whose chunk payload is being read
  uint32_t chunk_left_ = 0;    // payload bytes left in the current chunk
  uint64_t pending_bytes_ = 0;
  std::optional<base::Error> failed_;
};

}  // namespace vela::protocol::rtmp
