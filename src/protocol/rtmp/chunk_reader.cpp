#include "protocol/rtmp/chunk_reader.hpp"

#include <algorithm>
#include <string>

#include "base/byte_reader.hpp"

namespace vela::protocol::rtmp {

namespace {

constexpr uint32_t kExtendedTimestampMarker = 0xFFFFFF;
// Message buffers grow with the data that actually arrives, so a header that announces a
// large message costs nothing until its bytes are sent.
constexpr uint32_t kInitialReserve = 64 * 1024;

base::Error error(std::string message) {
  return base::make_error("RTMP chunk: " + message);
}

}  // namespace

void ChunkReader::feed(std::span<const uint8_t> bytes) {
  if (pos_ == input_.size()) {
    input_.clear();
    pos_ = 0;
  } else if (pos_ > input_.size() / 2) {
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  input_.insert(input_.end(), bytes.begin(), bytes.end());
}

base::Result<std::optional<Message>> ChunkReader::read() {
  if (failed_) return *failed_;
  for (;;) {
    if (current_ != nullptr) {
      size_t take = std::min<size_t>(input_.size() - pos_, chunk_left_);
      if (take == 0) return std::optional<Message>();
      if (pending_bytes_ + take > limits_.max_pending_bytes) {
        failed_ = error("partly received messages exceed " +
                        std::to_string(limits_.max_pending_bytes) + " bytes");
        return *failed_;
      }
      auto from = input_.begin() + static_cast<std::ptrdiff_t>(pos_);
      current_->payload.insert(current_->payload.end(), from,
                               from + static_cast<std::ptrdiff_t>(take));
      pos_ += take;
      pending_bytes_ += take;
      chunk_left_ -= static_cast<uint32_t>(take);
      if (chunk_left_ > 0) return std::optional<Message>();
    } else {
      base::Error parse_error;
      Parse parsed = parse_chunk_header(parse_error);
      if (parsed == Parse::need_more) return std::optional<Message>();
      if (parsed == Parse::error) {
        failed_ = std::move(parse_error);
        return *failed_;
      }
    }
    // A chunk is complete (or the message is empty): finish the message if it is whole.
    Stream& stream = *current_;
    if (chunk_left_ > 0) continue;
    current_ = nullptr;
    if (stream.payload.size() == stream.length) return complete(stream);
  }
}

ChunkReader::Parse ChunkReader::parse_chunk_header(base::Error& err) {
  base::ByteReader r(std::span<const uint8_t>(input_).subspan(pos_));
  // Basic header: fmt and a 1-, 2- or 3-byte chunk stream id.
  uint8_t first = r.u8();
  uint8_t fmt = first >> 6;
  uint32_t csid = first & 0x3F;
  if (csid == 0) {
    csid = 64 + r.u8();
  } else if (csid == 1) {
    uint32_t low = r.u8();
    csid = 64 + low + 256u * r.u8();
  }
  if (!r.ok()) return Parse::need_more;

  auto found = streams_.find(csid);
  Stream* stream = found == streams_.end() ? nullptr : &found->second;

  // Message header: fmt 0 has 11 bytes, fmt 1 has 7, fmt 2 has 3, fmt 3 none.
  uint32_t ts_field = 0, length = 0, stream_id = 0;
  uint8_t type_id = 0;
  if (fmt <= 2) ts_field = r.u24be();
  if (fmt <= 1) {
    length = r.u24be();
    type_id = r.u8();
  }
  if (fmt == 0) stream_id = r.u32le();
  bool extended =
      fmt <= 2 ? ts_field == kExtendedTimestampMarker : stream != nullptr && stream->extended;
  if (fmt <= 2 && extended) ts_field = r.u32be();
  if (!r.ok()) return Parse::need_more;
  if (fmt == 3 && extended) {
    // ffmpeg, librtmp and GStreamer repeat the extended timestamp in fmt-3 chunks (as the
    // spec says); a few encoders omit it. Take it only when it matches the expected value.
    base::ByteReader peek = r;
    uint32_t repeated = peek.u32be();
    if (!peek.ok()) return Parse::need_more;
    if (repeated == stream->ts_field) r = peek;
  }

  bool in_progress = stream != nullptr && stream->in_progress;
  if (stream == nullptr && fmt == 3) {
    err = error("fmt 3 chunk on unused chunk stream " + std::to_string(csid));
    return Parse::error;
  }
  if (stream == nullptr && streams_.size() >= limits_.max_chunk_streams) {
    err = error("more than " + std::to_string(limits_.max_chunk_streams) + " chunk streams");
    return Parse::error;
  }
  if (in_progress && fmt != 3) {
    err = error("fmt " + std::to_string(fmt) + " chunk on chunk stream " + std::to_string(csid) +
                " before its message was complete");
    return Parse::error;
  }
  if (fmt <= 1 && length > limits_.max_message_size) {
    err = error("message of " + std::to_string(length) + " bytes exceeds limit of " +
                std::to_string(limits_.max_message_size));
    return Parse::error;
  }

  pos_ += r.position();
  if (stream == nullptr) {
    stream = &streams_[csid];
    stream->header.chunk_stream_id = csid;
  }
  if (!in_progress) {
    MessageHeader& h = stream->header;
    switch (fmt) {
      case 0:
        h.stream_id = stream_id;
        h.timestamp = ts_field;
        break;
      case 1:
      case 2:
        h.timestamp += ts_field;
        break;
      default:
        // fmt 3 repeats the previous timestamp field as a delta. After a fmt-0 header that
        // field was absolute; ffmpeg, GStreamer and SRS all read it as the delta then too.
        h.timestamp += stream->ts_field;
        break;
    }
    if (fmt <= 1) {
      stream->length = length;
      h.type_id = type_id;
    }
    if (fmt <= 2) {
      stream->ts_field = ts_field;
      stream->extended = extended;
    }
    stream->in_progress = true;
    stream->payload.clear();
    stream->payload.reserve(std::min(stream->length, kInitialReserve));
  }
  current_ = stream;
  chunk_left_ = std::min<uint32_t>(chunk_size_,
                                   stream->length - static_cast<uint32_t>(stream->payload.size()));
  return Parse::ok;
}

base::Result<std::optional<Message>> ChunkReader::complete(Stream& stream) {
  pending_bytes_ -= stream.payload.size();
  stream.in_progress = false;
  Message message{stream.header, base::Buffer::adopt(std::move(stream.payload))};
  stream.payload = {};
  if (message.header.type_id == kTypeSetChunkSize || message.header.type_id == kTypeAbort) {
    if (auto status = apply_control(message); !status) {
      failed_ = status.error();
      return *failed_;
    }
  }
  return std::optional<Message>(std::move(message));
}

base::Status ChunkReader::apply_control(const Message& message) {
  base::ByteReader r(message.payload.span());
  uint32_t value = r.u32be();
  if (!r.ok()) return error("truncated protocol control message");
  if (message.header.type_id == kTypeSetChunkSize) {
    // The top bit must be zero; a size above the largest message length is equivalent
    // to that length, so it is clamped rather than refused.
    if (value == 0 || (value & 0x80000000u) != 0) {
      return error("invalid chunk size " + std::to_string(value));
    }
    chunk_size_ = std::min(value, kMaxChunkSize);
    return {};
  }
  auto aborted = streams_.find(value);
  if (aborted != streams_.end() && aborted->second.in_progress) {
    pending_bytes_ -= aborted->second.payload.size();
    aborted->second.payload = {};
    aborted->second.in_progress = false;
  }
  return {};
}

}  // namespace vela::protocol::rtmp
