#include "protocol/rtmp/chunk_writer.hpp"

#include <algorithm>

#include "base/byte_writer.hpp"

namespace vela::protocol::rtmp {

namespace {

constexpr uint32_t kExtendedTimestampMarker = 0xFFFFFF;

void basic_header(base::ByteWriter& w, uint8_t fmt, uint32_t csid) {
  uint8_t top = static_cast<uint8_t>(fmt << 6);
  if (csid < 64) {
    w.u8(static_cast<uint8_t>(top | csid));
  } else if (csid < 64 + 256) {
    w.u8(top);
    w.u8(static_cast<uint8_t>(csid - 64));
  } else {
    w.u8(static_cast<uint8_t>(top | 1));
    w.u8(static_cast<uint8_t>((csid - 64) & 0xFF));
    w.u8(static_cast<uint8_t>((csid - 64) >> 8));
  }
}

}  // namespace

void ChunkWriter::set_chunk_size(uint32_t size) {
  chunk_size_ = std::clamp<uint32_t>(size, 1, kMaxChunkSize);
}

void ChunkWriter::write(const MessageHeader& header, std::span<const uint8_t> payload,
                        std::vector<uint8_t>& out) const {
  base::ByteWriter w(out);
  bool extended = header.timestamp >= kExtendedTimestampMarker;
  // Chunk stream ids 2..65599 are encodable; anything else is a caller bug, mapped to 2.
  uint32_t csid = header.chunk_stream_id >= 2 && header.chunk_stream_id <= 65599
                      ? header.chunk_stream_id
                      : kChunkStreamControl;
  basic_header(w, 0, csid);
  w.u24be(extended ? kExtendedTimestampMarker : header.timestamp);
  w.u24be(static_cast<uint32_t>(payload.size()));
  w.u8(header.type_id);
  w.u32le(header.stream_id);
  if (extended) w.u32be(header.timestamp);

  size_t offset = 0;
  do {
    if (offset > 0) {
      basic_header(w, 3, csid);
      if (extended) w.u32be(header.timestamp);
    }
    size_t n = std::min<size_t>(chunk_size_, payload.size() - offset);
    w.bytes(payload.subspan(offset, n));
    offset += n;
  } while (offset < payload.size());
}

}  // namespace vela::protocol::rtmp
