// RTP parser: must never crash; an accepted packet's views lie inside the datagram, and
// writing its fields back out gives a packet that parses to the same fields.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/rtp/rtp_packet.hpp"

using namespace vela::protocol::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto p = parse_rtp(in);
  if (!p) {
    if (p.error().message.empty()) __builtin_trap();
    return 0;
  }
  auto inside = [&](std::span<const uint8_t> v) {
    return v.empty() || (v.data() >= data && v.data() + v.size() <= data + size);
  };
  if (!inside(p->payload) || !inside(p->extension_data)) __builtin_trap();
  if (kRtpHeaderSize + 4u * p->csrc_count + p->payload.size() + p->padding_size > size)
    __builtin_trap();

  RtpHeader h;
  h.marker = p->marker;
  h.payload_type = p->payload_type;
  h.sequence = p->sequence;
  h.timestamp = p->timestamp;
  h.ssrc = p->ssrc;
  h.csrcs.assign(p->csrc_list().begin(), p->csrc_list().end());
  for (int id = 1; id <= 255; ++id) {
    if (auto e = p->extension(static_cast<uint8_t>(id))) {
      if (!inside(*e)) __builtin_trap();
      h.extensions.push_back({static_cast<uint8_t>(id), {e->begin(), e->end()}});
    }
  }
  std::vector<uint8_t> out;
  if (!write_rtp(h, p->payload, out)) return 0;  // e.g. a two-byte element of length 0 in id > 255
  auto q = parse_rtp(out);
  if (!q) __builtin_trap();
  if (q->sequence != p->sequence || q->timestamp != p->timestamp || q->ssrc != p->ssrc ||
      q->marker != p->marker || q->payload_type != p->payload_type ||
      q->payload.size() != p->payload.size() || q->csrc_count != p->csrc_count)
    __builtin_trap();
  for (const auto& e : h.extensions) {
    auto back = q->extension(e.id);
    if (!back || back->size() != e.data.size()) __builtin_trap();
  }
  return 0;
}
