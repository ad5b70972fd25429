#include "format/mpegts/adts.hpp"

#include "base/byte_reader.hpp"

namespace vela::format::mpegts {

base::Result<AdtsHeader> parse_adts_header(std::span<const uint8_t> bytes) {
  base::ByteReader in(bytes);
  uint16_t first = in.u16be();   // syncword(12) ID(1) layer(2) protection_absent(1)
  uint32_t fields = in.u32be();  // profile(2) sf_index(4) private(1) channels(3) ... length(13) ...
  uint8_t last = in.u8();        // buffer fullness (low 6 bits), raw blocks(2)
  if (!in.ok()) return base::make_error("truncated ADTS header");
  if ((first & 0xFFF6) != 0xFFF0) return base::make_error("missing ADTS syncword");
  AdtsHeader out;
  out.header_size = (first & 0x1) ? kAdtsHeaderSize : kAdtsHeaderSize + 2;
  out.object_type = static_cast<uint8_t>((fields >> 30) + 1);
  out.sampling_index = (fields >> 26) & 0x0F;
  out.channel_config = (fields >> 22) & 0x07;
  out.frame_length = (fields >> 5) & 0x1FFF;
  if (out.sampling_index > 12) return base::make_error("reserved ADTS sampling frequency index");
  if (out.frame_length < out.header_size)
    return base::make_error("ADTS frame shorter than its header");
  if ((last & 0x03) != 0) return base::make_error("ADTS frame with several raw data blocks");
  return out;
}

std::array<uint8_t, 2> adts_audio_specific_config(const AdtsHeader& header) {
  return {static_cast<uint8_t>(header.object_type << 3 | header.sampling_index >> 1),
          static_cast<uint8_t>((header.sampling_index & 1) << 7 | header.channel_config << 3)};
}

}  // namespace vela::format::mpegts
