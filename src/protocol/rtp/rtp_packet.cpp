#include "protocol/rtp/rtp_packet.hpp"

#include <string>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::protocol::rtp {
namespace {

base::Error fail(const std::string& what) { return base::make_error("rtp: " + what); }

bool is_two_byte_profile(uint16_t profile) { return (profile & 0xFFF0) == 0x1000; }

// Walks RFC 8285 elements. visit(id, data) returns true to stop early. Returns false when
// the block is malformed.
template <class Visit>
bool walk_extensions(uint16_t profile, std::span<const uint8_t> block, Visit&& visit) {
  const bool one_byte = profile == kOneByteExtensionProfile;
  if (!one_byte && !is_two_byte_profile(profile)) return true;  // opaque profile
  size_t pos = 0;
  while (pos < block.size()) {
    uint8_t first = block[pos];
    if (first == 0) {  // padding between elements
      ++pos;
      continue;
    }
    uint8_t id = 0;
    size_t length = 0;
    if (one_byte) {
      id = first >> 4;
      if (id == 15) return true;  // reserved: stop processing the block (RFC 8285 4.2)
      length = (first & 0x0F) + 1u;
      pos += 1;
    } else {
      if (pos + 1 >= block.size()) return false;
      id = first;
      length = block[pos + 1];
      pos += 2;
    }
    if (block.size() - pos < length) return false;
    if (visit(id, block.subspan(pos, length))) return true;
    pos += length;
  }
  return true;
}

}  // namespace

std::optional<std::span<const uint8_t>> RtpPacketView::extension(uint8_t id) const {
  if (!has_extension || id == 0) return std::nullopt;
  std::optional<std::span<const uint8_t>> found;
  walk_extensions(extension_profile, extension_data, [&](uint8_t element_id, auto data) {
    if (element_id != id) return false;
    found = data;
    return true;
  });
  return found;
}

bool looks_like_rtcp(std::span<const uint8_t> datagram) {
  return datagram.size() >= 2 && (datagram[0] >> 6) == 2 && datagram[1] >= 192 &&
         datagram[1] <= 223;
}

base::Result<RtpPacketView> parse_rtp(std::span<const uint8_t> datagram) {
  base::ByteReader in(datagram);
  RtpPacketView p;
  uint8_t b0 = in.u8();
  uint8_t b1 = in.u8();
  p.sequence = in.u16be();
  p.timestamp = in.u32be();
  p.ssrc = in.u32be();
  if (!in.ok()) return fail("packet shorter than the 12-byte header");
  if ((b0 >> 6) != 2) return fail("version " + std::to_string(b0 >> 6) + " (expected 2)");
  const bool padding = (b0 & 0x20) != 0;
  p.has_extension = (b0 & 0x10) != 0;
  p.csrc_count = b0 & 0x0F;
  p.marker = (b1 & 0x80) != 0;
  p.payload_type = b1 & 0x7F;
  for (uint8_t i = 0; i < p.csrc_count; ++i) p.csrcs[i] = in.u32be();
  if (!in.ok()) return fail("CSRC list runs past the packet");
  if (p.has_extension) {
    p.extension_profile = in.u16be();
    uint16_t words = in.u16be();
    p.extension_data = in.bytes(size_t{words} * 4);
    if (!in.ok()) return fail("header extension runs past the packet");
    bool well_formed =
        walk_extensions(p.extension_profile, p.extension_data, [](uint8_t, auto) { return false; });
    if (!well_formed) return fail("malformed RFC 8285 header extension element");
  }
  std::span<const uint8_t> rest = in.rest();
  if (padding) {
    if (rest.empty()) return fail("padding bit set but no padding");
    uint8_t count = rest.back();
    if (count == 0 || count > rest.size()) return fail("bad padding count");
    p.padding_size = count;
    rest = rest.first(rest.size() - count);
  }
  p.payload = rest;
  return p;
}

base::Status write_rtp(const RtpHeader& h, std::span<const uint8_t> payload,
                       std::vector<uint8_t>& out) {
  if (h.payload_type > 127) return fail("payload type above 127");
  if (h.csrcs.size() > 15) return fail("more than 15 CSRCs");
  bool one_byte = !h.force_two_byte_extensions;
  for (const auto& e : h.extensions) {
    if (e.id == 0) return fail("extension id 0 is reserved");
    if (e.data.size() > 255) return fail("extension longer than 255 bytes");
    if (e.id > 14 || e.data.empty() || e.data.size() > 16) one_byte = false;
  }
  std::vector<uint8_t> block;
  for (const auto& e : h.extensions) {
    if (one_byte) {
      block.push_back(static_cast<uint8_t>((e.id << 4) | (e.data.size() - 1)));
    } else {
      block.push_back(e.id);
      block.push_back(static_cast<uint8_t>(e.data.size()));
    }
    block.insert(block.end(), e.data.begin(), e.data.end());
  }
  while (block.size() % 4 != 0) block.push_back(0);
  if (block.size() / 4 > 0xFFFF) return fail("header extension too long");

  base::ByteWriter w(out);
  const bool has_ext = !h.extensions.empty();
  w.u8(static_cast<uint8_t>(0x80 | (h.padding ? 0x20 : 0) | (has_ext ? 0x10 : 0) |
                            h.csrcs.size()));
  w.u8(static_cast<uint8_t>((h.marker ? 0x80 : 0) | h.payload_type));
  w.u16be(h.sequence);
  w.u32be(h.timestamp);
  w.u32be(h.ssrc);
  for (uint32_t c : h.csrcs) w.u32be(c);
  if (has_ext) {
    w.u16be(one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
    w.u16be(static_cast<uint16_t>(block.size() / 4));
    w.bytes(block);
  }
  w.bytes(payload);
  if (h.padding) {
    w.fill(0, h.padding - 1u);
    w.u8(h.padding);
  }
  return {};
}

}  // namespace vela::protocol::rtp
