// ChunkReader: feeding the input whole and in pieces (sizes from the first byte) must give
// the same messages and the same error, with tight limits so they are exercised.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/rtmp/chunk_reader.hpp"

using namespace vela::protocol::rtmp;

namespace {

struct Outcome {
  std::vector<Message> messages;
  std::optional<std::string> error;
};

Outcome run(std::span<const uint8_t> input, size_t piece) {
  ChunkReaderLimits limits;
  limits.max_message_size = 64 * 1024;
  limits.max_chunk_streams = 8;
  limits.max_pending_bytes = 128 * 1024;
  ChunkReader reader(limits);
  Outcome out;
  for (size_t at = 0; at < input.size(); at += piece) {
    reader.feed(input.subspan(at, std::min(piece, input.size() - at)));
    for (;;) {
      auto next = reader.read();
      if (!next) {
        out.error = next.error().message;
        return out;
      }
      if (!next.value()) break;
      out.messages.push_back(std::move(*next.value()));
    }
  }
  return out;
}

bool same(const Message& a, const Message& b) {
  auto pa = a.payload.span(), pb = b.payload.span();
  return a.header.chunk_stream_id == b.header.chunk_stream_id &&
         a.header.type_id == b.header.type_id && a.header.stream_id == b.header.stream_id &&
         a.header.timestamp == b.header.timestamp &&
         std::equal(pa.begin(), pa.end(), pb.begin(), pb.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = data[0] % 16 + 1;
  std::span<const uint8_t> input(data + 1, size - 1);
  Outcome whole = run(input, input.size() + 1);
  Outcome split = run(input, piece);
  if (whole.error != split.error || whole.messages.size() != split.messages.size()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    if (!same(whole.messages[i], split.messages[i])) __builtin_trap();
  }
  return 0;
}
