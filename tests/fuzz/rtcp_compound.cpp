// RTCP compound parser: must never crash; every message it returns can be written back,
// and the written packet parses to the same message (NACK lists compared as sets).
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/rtp/rtcp.hpp"

using namespace vela::protocol::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto compound = parse_rtcp(std::span<const uint8_t>(data, size));
  if (compound.error && compound.error->message.empty()) __builtin_trap();
  for (const auto& message : compound.messages) {
    std::vector<uint8_t> out;
    if (!write_rtcp(message, out)) continue;  // e.g. an empty NACK list cannot be written
    if (out.size() % 4 != 0) __builtin_trap();
    auto again = parse_rtcp(out);
    if (again.error || again.messages.size() != 1) __builtin_trap();
    if (auto* nack = std::get_if<Nack>(&message)) {
      auto* back = std::get_if<Nack>(&again.messages[0]);
      if (!back) __builtin_trap();
      auto a = nack->sequences, b = back->sequences;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      a.erase(std::unique(a.begin(), a.end()), a.end());  // the writer merges duplicates
      b.erase(std::unique(b.begin(), b.end()), b.end());
      if (a != b) __builtin_trap();
    } else if (!(again.messages[0] == message)) {
      __builtin_trap();
    }
  }
  if (auto* fb = compound.messages.empty()
                     ? nullptr
                     : std::get_if<TransportFeedback>(&compound.messages.back())) {
    if (feedback_arrivals(*fb).size() != fb->statuses.size()) __builtin_trap();
  }
  return 0;
}
